import { reactorError, VIDEO_RTP_CLOCK_HZ } from "@reactor-node/protocol";
import type { EncoderParams, WireState } from "./encoder-protocol.js";
import { acquireVideoEncoder, type VideoEncoderService, type VideoLogger } from "./encoder-service.js";
import { LOOP_FRAMES } from "./frame-number.js";
import { EFFECTS, type Effect } from "./layout.js";
import type { EncodedLoop } from "./loop-cache.js";
import { assertPatternSize } from "./pattern.js";
import { defaultBitrate } from "./vp8-encoder.js";

/** Default picture size and rate (the echo model's typical output). */
export const DEFAULT_VIDEO_WIDTH = 640;
/** Default picture height. */
export const DEFAULT_VIDEO_HEIGHT = 360;
/** Default frame rate. */
export const DEFAULT_VIDEO_FPS = 30;

/** The model state that changes the picture (echo model commands). Omitted fields keep their value. */
export interface VideoState {
  /** One of the echo model's effects. */
  effect?: Effect | (string & {});
  /** 0..1 */
  intensity?: number;
  /** Empty string clears it. */
  caption?: string;
  /** Encoded image bytes (PNG decoded for real; other formats shown as a colour); `null` clears it. */
  overlay?: Uint8Array | null;
  /** Overlay opacity 0..1 (the echo model's `overlay_strength`, default 0.5). */
  overlayStrength?: number;
}

/** One encoded VP8 frame of the test source, ready for `Vp8Packetizer` (not the SDK's decoded `VideoFrame`). */
export interface SourceFrame {
  /** A raw VP8 frame (no IVF/container framing). */
  data: Uint8Array;
  keyframe: boolean;
  /** RTP timestamp on the 90 kHz clock, from the pacing schedule (wraps at 2^32). */
  timestamp90k: number;
  /**
   * Monotonic count of pattern frames sent by this source (the picture embeds it mod
   * LOOP_FRAMES); -1 for the black boundary frame that starts the stream.
   */
  frameNumber: number;
  /** True for the black boundary frame. */
  boundary: boolean;
  /** Whether it came from the pre-encoded loop or the live encoder. */
  origin: "loop" | "live";
}

/** Options of {@link createVideoSource}. */
export interface VideoSourceOptions {
  /** Default 640. */
  width?: number;
  /** Default 360. */
  height?: number;
  /** Default 30. */
  fps?: number;
  /** Target bits per second; default ≈1 Mbps at 360p30, ≈2.5 Mbps at 720p30. */
  bitrate?: number;
  /** The state the pre-encoded loop shows (default: the echo model's initial state). */
  initialState?: VideoState;
  /** Aborting closes the source. */
  signal?: AbortSignal;
  /** Loop cache directory, or `false` for memory only. Default os.tmpdir()/reactor-testkit-cache. */
  cacheDir?: string | false;
  logger?: VideoLogger;
  /** Use this encoder service instead of the process-wide shared one (the source retains it). */
  encoder?: VideoEncoderService;
}

/** Counters of one source. */
export interface VideoSourceStats {
  framesSent: number;
  keyframesSent: number;
  loopFrames: number;
  liveFrames: number;
  /** Pacing slots with no frame (loop still building, or the live encoder still busy). */
  stalledTicks: number;
  /** Pacing slots skipped because the event loop was late by more than a frame. */
  lateSlots: number;
}

/** A paced synthetic video stream: the fake GPU peer's model output. */
export interface VideoSource {
  /** Resolves when the first frames can be sent (loop playable); rejects if the encoder fails. */
  readonly ready: Promise<void>;
  /** Resolves once the whole loop is encoded (and queued for the disk cache). */
  readonly loopComplete: Promise<void>;
  /** Starts (or resumes) pacing frames; the very first frame is a black boundary keyframe. */
  start(): void;
  /** Pauses pacing; `start()` resumes with continuous numbering. */
  stop(): void;
  /** Subscribes to frames; returns the unsubscribe function. */
  onFrame(listener: (frame: SourceFrame) => void): () => void;
  /** Makes the next frame a keyframe (PLI/FIR); in the loop it may take one extra frame. */
  requestKeyframe(): void;
  /**
   * An intra-coded twin of a frame this source sent, when one exists (loop frames at even
   * indices): a recording can start a clip there, and the frames that followed it on the wire
   * decode after it as they did after the original.
   */
  keyframeVariant(frame: SourceFrame): Uint8Array | undefined;
  /** Changes what the model shows; takes effect on the next frame (live encoding when not the loop's state). */
  setState(state: VideoState): void;
  /** The current state (overlay as given). */
  readonly state: Readonly<Required<VideoState>>;
  readonly stats: Readonly<VideoSourceStats>;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Stops, frees the live encoder context and releases the encoder (idempotent). */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_STATE: Required<VideoState> = {
  effect: "none",
  intensity: 1,
  caption: "",
  overlay: null,
  overlayStrength: 0.5,
};

function mergeState(base: Required<VideoState>, patch: VideoState): Required<VideoState> {
  const next = { ...base };
  if (patch.effect !== undefined) {
    if (!(EFFECTS as readonly string[]).includes(patch.effect)) {
      throw reactorError(
        "INVALID_ARGUMENT",
        `unknown effect "${patch.effect}" (expected one of ${EFFECTS.join(", ")})`,
      );
    }
    next.effect = patch.effect;
  }
  const unit = (name: string, v: number | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v < 0 || v > 1)
      throw reactorError("INVALID_ARGUMENT", `${name} must be in 0..1, got ${v}`);
    return v;
  };
  next.intensity = unit("intensity", patch.intensity, base.intensity);
  next.overlayStrength = unit("overlayStrength", patch.overlayStrength, base.overlayStrength);
  if (patch.caption !== undefined) next.caption = String(patch.caption);
  if (patch.overlay !== undefined) next.overlay = patch.overlay;
  return next;
}

function toWire(state: Required<VideoState>): WireState {
  return {
    effect: state.effect as Effect,
    intensity: state.intensity,
    caption: state.caption,
    overlay: state.overlay,
    overlayStrength: state.overlayStrength,
  };
}

function sameState(a: Required<VideoState>, b: Required<VideoState>): boolean {
  if (a.effect !== b.effect || a.intensity !== b.intensity || a.caption !== b.caption) return false;
  if (a.overlayStrength !== b.overlayStrength && (a.overlay || b.overlay)) return false;
  if (a.overlay === b.overlay) return true;
  if (!a.overlay || !b.overlay || a.overlay.length !== b.overlay.length) return false;
  return a.overlay.every((v, i) => v === b.overlay?.[i]);
}

/**
 * Creates a paced VP8 test-pattern stream (see `layout.ts` for the picture). While the state
 * equals the loop's, frames come from a pre-encoded, shared loop; any other state is rendered
 * and encoded live by the shared worker. Numbering is continuous across both, and every switch
 * between them is a keyframe.
 */
export function createVideoSource(options: VideoSourceOptions = {}): VideoSource {
  const width = options.width ?? DEFAULT_VIDEO_WIDTH;
  const height = options.height ?? DEFAULT_VIDEO_HEIGHT;
  const fps = options.fps ?? DEFAULT_VIDEO_FPS;
  assertPatternSize(width, height);
  if (!Number.isFinite(fps) || fps <= 0 || fps > 120) {
    throw reactorError("INVALID_ARGUMENT", `fps must be in (0, 120], got ${fps}`);
  }
  const params: EncoderParams = {
    width,
    height,
    fps,
    bitrate: options.bitrate ?? defaultBitrate(width, height, fps),
  };
  const loopState = mergeState(DEFAULT_STATE, options.initialState ?? {});
  const logger = options.logger;
  const service = options.encoder ?? acquireVideoEncoder({ cacheDir: options.cacheDir, logger });
  if (options.encoder) service.retain();
  const loop: EncodedLoop = service.loop(params, toWire(loopState));
  const ready = loop.whenPlayable();
  const loopComplete = loop.whenComplete();
  // Observed through `ready`/`loopComplete`; never an unhandled rejection.
  ready.catch(() => {});
  loopComplete.catch(() => {});

  const periodMs = 1000 / fps;
  const listeners = new Set<(frame: SourceFrame) => void>();
  const stats: VideoSourceStats = {
    framesSent: 0,
    keyframesSent: 0,
    loopFrames: 0,
    liveFrames: 0,
    stalledTicks: 0,
    lateSlots: 0,
  };
  let state = loopState;
  let stateVersion = 0;
  let liveWanted = false; // state differs from the loop's
  let started = false;
  let closed = false;
  let closing: Promise<void> | null = null;
  let generation = 0; // bumps on stop/close so late timer or encoder callbacks are ignored
  let timer: NodeJS.Timeout | null = null;
  let epoch = -1; // performance.now() of slot 0; the RTP clock keeps running across stop/start
  let slot = 0;
  let blackSent = false;
  let nextFrame = 0;
  let mode: "none" | "loop" | "live" = "none";
  let keyframePending = false;
  let liveStream: number | null = null;
  let liveBusy = false;
  let liveSentVersion = -1;
  let liveGeneration = -1;

  function emit(frame: SourceFrame): void {
    stats.framesSent++;
    if (frame.keyframe) stats.keyframesSent++;
    for (const listener of [...listeners]) {
      try {
        listener(frame);
      } catch (error) {
        logger?.error({ err: error }, "video frame listener threw");
      }
    }
  }

  function timestampFor(s: number): number {
    return Math.round((s * VIDEO_RTP_CLOCK_HZ) / fps) % 2 ** 32;
  }

  function schedule(): void {
    const deadline = epoch + slot * periodMs;
    timer = setTimeout(onTick, Math.max(0, deadline - performance.now()));
  }

  // Drift-free: slot k fires at epoch + k·period on the monotonic clock; a late event loop
  // skips whole slots instead of bursting frames.
  function onTick(): void {
    timer = null;
    if (!started || closed) return;
    const now = performance.now();
    const behind = Math.floor((now - epoch) / periodMs) - slot;
    if (behind >= 1) {
      stats.lateSlots += behind;
      slot += behind;
    }
    const ts = timestampFor(slot);
    slot++;
    schedule();
    produce(ts);
  }

  function produce(ts: number): void {
    if (liveBusy) {
      stats.stalledTicks++;
      return;
    }
    if (!blackSent) {
      if (!loop.black) {
        stats.stalledTicks++;
        return;
      }
      blackSent = true;
      emit({ data: loop.black, keyframe: true, timestamp90k: ts, frameNumber: -1, boundary: true, origin: "loop" });
      return;
    }
    const n = nextFrame;
    // The loop can only be (re)entered with a keyframe variant, which exists at even indices.
    if (liveWanted || (mode === "live" && n % 2 === 1)) {
      produceLive(n, ts);
      return;
    }
    const index = n % LOOP_FRAMES;
    if (index >= loop.available) {
      stats.stalledTicks++;
      return;
    }
    if (mode === "live") closeLive();
    const needKey = keyframePending || mode !== "loop";
    let data: Uint8Array | undefined;
    let keyframe = false;
    const variant = needKey ? loop.keyframes[index] : null;
    if (variant) {
      data = variant;
      keyframe = true;
      keyframePending = false;
    } else {
      // Odd index: send the chain's delta (the receiver holds its predecessor) and enter with
      // the next frame's keyframe variant instead.
      data = loop.delta[index];
      keyframe = index === 0;
      if (keyframe) keyframePending = false;
      else if (needKey) keyframePending = true;
    }
    if (!data) {
      stats.stalledTicks++;
      return;
    }
    if (mode === "none" && !keyframe) {
      // First pattern frame after the boundary must be a keyframe; n is even here, so wait.
      stats.stalledTicks++;
      return;
    }
    mode = "loop";
    nextFrame = n + 1;
    stats.loopFrames++;
    emit({ data, keyframe, timestamp90k: ts, frameNumber: n, boundary: false, origin: "loop" });
  }

  function produceLive(n: number, ts: number): void {
    if (liveStream === null) {
      liveStream = service.openLiveStream();
      liveSentVersion = -1;
    }
    const sendState = liveSentVersion !== stateVersion || liveGeneration !== service.generation;
    const keyframe = keyframePending || mode !== "live" || liveGeneration !== service.generation;
    const myGeneration = generation;
    const version = stateVersion;
    liveBusy = true;
    keyframePending = false;
    const stream = liveStream;
    service.encodeLive(stream, params, n, keyframe, sendState ? toWire(state) : undefined).then(
      (frame) => {
        liveSentVersion = version;
        liveGeneration = service.generation;
        if (closed || myGeneration !== generation || liveStream !== stream) return;
        liveBusy = false;
        mode = "live";
        nextFrame = n + 1;
        stats.liveFrames++;
        emit({
          data: frame.data,
          keyframe: frame.keyframe,
          timestamp90k: ts,
          frameNumber: n,
          boundary: false,
          origin: "live",
        });
      },
      (error: unknown) => {
        liveSentVersion = -1;
        if (closed || myGeneration !== generation) return;
        liveBusy = false;
        if (keyframe) keyframePending = true;
        logger?.error({ err: error }, "live video frame failed");
      },
    );
  }

  function closeLive(): void {
    if (liveStream === null) return;
    service.closeLiveStream(liveStream);
    liveStream = null;
  }

  function stop(): void {
    if (!started) return;
    started = false;
    generation++;
    liveBusy = false;
    if (timer) clearTimeout(timer);
    timer = null;
    // A frame in flight was dropped, so the receiver's reference may not match the encoder's.
    keyframePending = true;
  }

  const source: VideoSource = {
    ready,
    loopComplete,
    width,
    height,
    fps,
    get state() {
      return state;
    },
    get stats() {
      return stats;
    },
    start() {
      if (closed) throw reactorError("INVALID_ARGUMENT", "the video source is closed");
      if (started) return;
      started = true;
      generation++;
      const now = performance.now();
      if (epoch < 0) epoch = now;
      else slot = Math.max(slot, Math.ceil((now - epoch) / periodMs));
      schedule();
    },
    stop,
    onFrame(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    requestKeyframe() {
      keyframePending = true;
    },
    keyframeVariant(frame) {
      if (frame.keyframe) return frame.data;
      if (frame.origin !== "loop" || frame.boundary) return undefined;
      return loop.keyframes[frame.frameNumber % LOOP_FRAMES] ?? undefined;
    },
    setState(patch) {
      if (closed) return;
      const next = mergeState(state, patch);
      if (sameState(next, state)) return;
      state = next;
      stateVersion++;
      liveWanted = !sameState(state, loopState);
    },
    close() {
      if (closing) return closing;
      stop();
      closed = true;
      listeners.clear();
      closeLive();
      closing = service.release();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return source.close();
    },
  };

  if (options.signal) {
    if (options.signal.aborted) void source.close();
    else options.signal.addEventListener("abort", () => void source.close(), { once: true });
  }
  return source;
}
