/** Minimum spacing of keyframe requests while waiting for one (each becomes an RTCP PLI). */
export const KEYFRAME_REQUEST_MIN_INTERVAL_MS = 300;

/** Why a keyframe is needed. */
export type KeyframeReason = "start" | "packetLoss" | "decodeError" | "workerRestart" | "resync";

/**
 * Decides which encoded frames may reach the decoder. VP8 delta frames depend on every frame
 * since the last keyframe, so after a start, loss, decode error, worker restart or RTP resync everything up to
 * the next keyframe is dropped (`beforeKeyframe`) and a keyframe is requested, rate-limited by
 * {@link KEYFRAME_REQUEST_MIN_INTERVAL_MS} (re-requested while deltas keep arriving, in case a PLI
 * was lost). Pure: time is passed in.
 */
export class KeyframeGate {
  private waiting = true;
  private reason: KeyframeReason = "start";
  private lastRequestAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly request: (reason: KeyframeReason) => void,
    private readonly minIntervalMs: number = KEYFRAME_REQUEST_MIN_INTERVAL_MS,
  ) {}

  /** True while frames are being dropped until a keyframe. */
  get waitingForKeyframe(): boolean {
    return this.waiting;
  }

  /** Whether this frame may be decoded; requests a keyframe when it may not. */
  admit(keyframe: boolean, now: number): boolean {
    if (keyframe) {
      this.waiting = false;
      return true;
    }
    if (!this.waiting) return true;
    this.maybeRequest(now);
    return false;
  }

  /**
   * The decoding chain broke: drop deltas until a keyframe and ask for one (at once, unless already
   * waiting, in which case the usual rate limit applies).
   */
  break(reason: KeyframeReason, now: number): void {
    if (!this.waiting) {
      this.waiting = true;
      this.reason = reason;
      this.lastRequestAt = Number.NEGATIVE_INFINITY;
    }
    this.maybeRequest(now);
  }

  private maybeRequest(now: number): void {
    if (now - this.lastRequestAt < this.minIntervalMs) return;
    this.lastRequestAt = now;
    this.request(this.reason);
  }
}
