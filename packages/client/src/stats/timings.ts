/**
 * The timing breakdown of a `connect()` / `reconnect()`, as the official JS SDK reports it
 * (`sessionCreationMs`, `sdpPollingMs`, `iceNegotiationMs`, `transportConnectingMs`, `totalMs`)
 * plus the token exchange, the GPU wait and the first frame. Durations in ms from
 * `performance.now()`. The phases are observed at the coordinator boundary (see
 * `api/observed-coordinator.ts`) and the public state machine, so the connect code carries no
 * instrumentation.
 */

/** See the file comment. Phases that did not happen (adopting: no session creation) are 0. */
export interface ConnectionTimings {
  /** Obtaining JWTs: the API-key exchange or your `jwt` function (≈0 once a token is cached). */
  tokenMs: number;
  /** `POST /sessions` round trip, token excluded. */
  sessionCreationMs: number;
  /** Session created (or adopted) → the coordinator reports it ready to connect: the wait for a GPU. */
  gpuWaitMs: number;
  /** SDP offer sent → answer received. */
  sdpPollingMs: number;
  /** Answer received → transport ready (ICE, DTLS and both data channels). */
  iceNegotiationMs: number;
  /** Session ready → transport ready (registration, offer, answer, ICE). */
  transportConnectingMs: number;
  /** The call → status `ready`. */
  totalMs: number;
  /** The call → the first complete frame of the main video track; undefined until it arrives. */
  firstFrameMs?: number;
}

interface Run {
  start: number;
  tokenMs: number;
  sessionCreationMs: number;
  created?: number;
  sessionReady?: number;
  offerSent?: number;
  answered?: number;
}

/** Records the phases of the current connect and keeps the breakdown of the last one that got ready. */
export class ConnectTimer {
  private run: Run | undefined;
  private result: ConnectionTimings | undefined;
  /** Start of the latest connect, and when its first frame arrived. */
  private origin: number | undefined;
  private firstFrameAt: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A connect/reconnect starts: earlier phases are forgotten. */
  begin(): void {
    this.origin = this.now();
    this.run = { start: this.origin, tokenMs: 0, sessionCreationMs: 0 };
    this.firstFrameAt = undefined;
  }

  /** Time spent obtaining a token (counted only while a connect runs). */
  tokenSpent(ms: number): void {
    if (this.run) this.run.tokenMs += ms;
  }

  /** `POST /sessions` answered after `ms`, the token (obtained first) included. */
  sessionCreated(ms: number): void {
    if (!this.run) return;
    this.run.sessionCreationMs = Math.max(0, ms - this.run.tokenMs);
    this.run.created = this.now();
  }

  /** The coordinator answered a descriptor that is ready to connect (the first one of a run counts). */
  sessionReady(): void {
    if (this.run) this.run.sessionReady ??= this.now();
  }

  /** The SDP offer is being sent. */
  offerSent(): void {
    if (this.run) this.run.offerSent ??= this.now();
  }

  /** The SDP answer arrived. */
  answerReceived(): void {
    if (this.run) this.run.answered ??= this.now();
  }

  /** Status `ready`: the breakdown of this run is complete. */
  ready(): void {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    const now = this.now();
    const sessionReady = run.sessionReady ?? run.start;
    const answered = run.answered ?? now;
    this.result = {
      tokenMs: run.tokenMs,
      sessionCreationMs: run.sessionCreationMs,
      gpuWaitMs: Math.max(0, sessionReady - (run.created ?? run.start)),
      sdpPollingMs: run.offerSent === undefined ? 0 : Math.max(0, answered - run.offerSent),
      iceNegotiationMs: Math.max(0, now - answered),
      transportConnectingMs: Math.max(0, now - sessionReady),
      totalMs: now - run.start,
      ...(this.firstFrameAt !== undefined && { firstFrameMs: this.firstFrameAt - run.start }),
    };
  }

  /** A frame of the main video track arrived; the first one after `begin()` is recorded. */
  firstFrame(): void {
    if (this.origin === undefined || this.firstFrameAt !== undefined) return;
    this.firstFrameAt = this.now();
    // Already ready: complete the breakdown; otherwise `ready()` picks it up.
    if (this.result && !this.run) this.result = { ...this.result, firstFrameMs: this.firstFrameAt - this.origin };
  }

  /** True while the first frame of the latest connect is still awaited. */
  get awaitingFirstFrame(): boolean {
    return this.origin !== undefined && this.firstFrameAt === undefined;
  }

  /** Forgets everything (disconnect). */
  reset(): void {
    this.run = undefined;
    this.result = undefined;
    this.origin = undefined;
    this.firstFrameAt = undefined;
  }

  /** The breakdown of the last connect that reached `ready`. */
  get timings(): ConnectionTimings | undefined {
    return this.result && { ...this.result };
  }
}
