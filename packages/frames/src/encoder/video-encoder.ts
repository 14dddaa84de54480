/**
 * The main-thread handle of one published video track's encoder. `push()` validates a picture
 * and hands its buffer to the encoder worker (transferred, never encoded here). At most
 * {@link ENCODER_PIPELINE_DEPTH} pictures are in the worker and one waits; the declared
 * backpressure decides what happens to the waiting one when the encoder is behind: `latest`
 * (default) replaces it (counted as dropped, reason `replaced`), `block` makes `push()` return a
 * promise that settles once the picture has been taken by the encoder.
 *
 * Buffers are recycled: a pushed buffer goes to the worker (transferred: detached from the
 * caller) and comes back with the encoded frame into a small pool, which `buffer()` hands out
 * for the caller to fill and `copy` pushes copy into. A producer that fills `buffer()`s
 * allocates no pixel memory once the pool is warm.
 */
import { type ReactorError, reactorError } from "@reactor-node/protocol";
import { Listeners } from "../listeners.js";
import { type Logger, SILENT_LOGGER } from "../logger.js";
import { BufferPool } from "../worker/buffer-pool.js";
import { transferred, type WorkerHost } from "../worker/comlink-host.js";
import { resolveEncoderBackend } from "./backend.js";
import { encoderThread } from "./encoder-thread.js";
import { defaultVideoBitrate } from "./video-engine.js";
import { checkVideoInput, coversWholeBuffer, type VideoInput, videoByteLength } from "./video-input.js";
import type { EncoderBackend, EncoderWorkerApi, VideoEncodeInput } from "./worker-api.js";

/** Backpressure of a publisher: `latest` replaces the waiting picture, `block` waits for room. */
export type PublishBackpressure = "latest" | "block";

/** Pictures a `block` publisher queues before the oldest is dropped (reason `overflow`): a caller that never awaits. */
export const BLOCK_QUEUE_MAX = 8;

/**
 * A bitrate change restarts the encoder (and costs a keyframe), so adaptation moves the rate only
 * when it differs from the running one by more than this fraction, and at most this often.
 */
const BITRATE_CHANGE_MIN_FRACTION = 0.15;
const BITRATE_CHANGE_MIN_INTERVAL_MS = 2_000;

/**
 * Picture buffers an encoder keeps for reuse: one in the worker, one waiting, one being filled by
 * the caller, and one spare.
 */
export const ENCODER_BUFFER_POOL_MAX = 4;

/**
 * Pictures handed to the worker before the previous one came back: the worker starts the next
 * picture the moment it finishes one instead of idling for a reply to reach this thread and the
 * next picture to come back (two thread wake-ups, several ms each on a loaded machine), and a
 * stall of the worker of up to about this many frame intervals costs no frame. The latency of a
 * frame is unchanged while the encoder keeps up.
 */
export const ENCODER_PIPELINE_DEPTH = 2;

/** Nominal frame rate assumed for rate control until timestamps say otherwise. */
export const DEFAULT_PUBLISH_FPS = 30;

/** Options of {@link createVideoEncoder}. */
export interface VideoEncoderOptions {
  /** `wasm` (default), `native` (node-av) or `auto`; or the `REACTOR_FRAMES_ENCODER` environment variable. */
  backend?: string;
  /** Target bitrate in bits per second; default from the picture size ({@link defaultVideoBitrate}). */
  bitrate?: number;
  /** Nominal frame rate for rate control (default 30). */
  fps?: number;
  backpressure?: PublishBackpressure;
  logger?: Logger;
}

/** Per-push options. */
export interface PushOptions {
  /** Copy the pixels instead of transferring the buffer (the caller keeps using it). */
  copy?: boolean;
}

/** One encoded picture, ready for RTP. */
export interface EncodedPicture {
  data: Uint8Array;
  keyframe: boolean;
  width: number;
  height: number;
  /** Presentation time on the 90 kHz clock (unwrapped, starts at 0). */
  pts90k: number;
  /** `performance.now()` when the picture was pushed. */
  pushedAt: number;
  /** Whatever the caller attached to the push (e.g. the metadata trailer fields). */
  tag: unknown;
}

/** Why a picture was not encoded. */
export type EncodeDropReason = "replaced" | "overflow" | "error" | "closed";

/** Counters of a video encoder. */
export interface VideoEncoderStats {
  pushed: number;
  encoded: number;
  keyframes: number;
  dropped: Record<EncodeDropReason, number>;
  /** Pushes that had to wait (`block`). */
  waited: number;
  /** Encoder (re)configurations: the first picture, size and bitrate changes. */
  reconfigurations: number;
  /** Output bitrate over the last second, bits per second. */
  bitrate: number;
  /** The target the encoder runs at now (after adaptation). */
  targetBitrate: number;
  /** The target without adaptation: the `bitrate` option, or the default for the picture size. */
  configuredBitrate: number;
  /** Mean worker time per picture, ms (conversion to I420, encoding). */
  convertMs: number;
  encodeMs: number;
  width: number;
  height: number;
  backend: EncoderBackend;
}

interface Pending {
  input: VideoEncodeInput;
  pushedAt: number;
  tag: unknown;
  settle?: () => void;
}

/** What a `latest` push returns: one settled promise for every push instead of a new one each. */
const SETTLED: Promise<void> = Promise.resolve();

/** Bitrate window for {@link VideoEncoderStats.bitrate}. */
const BITRATE_WINDOW_MS = 1_000;

/** See the file comment. */
export class VideoEncoder {
  private readonly thread: WorkerHost<EncoderWorkerApi>;
  private readonly pool = new BufferPool(ENCODER_BUFFER_POOL_MAX);
  /** Buffers this encoder handed out (pool or copies): a replaced one may go back to the pool; a caller's own may not, the caller still holds it. */
  private readonly issued = new WeakSet<ArrayBufferLike>();
  private readonly ready: Promise<void>;
  private readonly backpressure: PublishBackpressure;
  private readonly fps: number;
  private readonly fixedBitrate: number | undefined;
  private bitrateCap = Number.POSITIVE_INFINITY;
  private sizeDefault: { width: number; height: number; bitrate: number } | undefined;
  /** The bitrate the encoder runs at, and when it last changed (see {@link BITRATE_CHANGE_MIN_FRACTION}). */
  private applied: { bitrate: number; width: number; height: number; at: number } | undefined;
  private readonly logger: Logger;
  private readonly encodedListeners: Listeners<EncodedPicture>;
  private readonly errorListeners: Listeners<ReactorError>;
  private inFlight = 0;
  private queue: Pending[] = [];
  private keyframeWanted = false;
  private lastPts = -1;
  private firstTimestamp: number | undefined;
  private closed = false;
  private failure: ReactorError | undefined;
  private readonly window: Array<{ at: number; bytes: number }> = [];
  private totals = { convertMs: 0, encodeMs: 0 };
  private readonly counters: Omit<
    VideoEncoderStats,
    "bitrate" | "convertMs" | "encodeMs" | "backend" | "targetBitrate" | "configuredBitrate"
  > = {
    pushed: 0,
    encoded: 0,
    keyframes: 0,
    dropped: { replaced: 0, overflow: 0, error: 0, closed: 0 },
    waited: 0,
    reconfigurations: 0,
    width: 0,
    height: 0,
  };
  readonly backend: EncoderBackend;

  /** @internal use {@link createVideoEncoder}. */
  constructor(options: VideoEncoderOptions, backend: EncoderBackend) {
    this.backend = backend;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.encodedListeners = new Listeners(this.logger, "encoded");
    this.errorListeners = new Listeners(this.logger, "error");
    this.backpressure = options.backpressure ?? "latest";
    this.fps = options.fps ?? DEFAULT_PUBLISH_FPS;
    this.fixedBitrate = options.bitrate;
    this.thread = encoderThread(this.logger, (error) => this.fail(error));
    this.ready = this.thread.call((api) => api.init({ kind: "video", backend }));
    this.ready.catch((error: unknown) => this.fail(error as ReactorError));
  }

  /** Resolves once the encoder worker has loaded its backend; rejects with its typed error. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Thread id of the encoder worker. */
  get threadId(): number {
    return this.thread.threadId;
  }

  /**
   * A buffer for one `width`×`height` picture in `format` (default `rgb24`), from the pool of
   * buffers the worker handed back (a new one while the pool is cold). Fill it and push it: the
   * push gives it back to the encoder (do not touch it afterwards). Throws INVALID_ARGUMENT for a
   * bad size or format.
   */
  buffer(width: number, height: number, format: VideoInput["format"] = "rgb24"): Uint8Array {
    return this.take(videoByteLength(width, height, format));
  }

  /** Buffers pooled for reuse now (tests, stats). */
  get pooledBuffers(): number {
    return this.pool.size;
  }

  /** Checks a picture as `push()` would (INVALID_ARGUMENT) without queueing it. */
  validate(frame: VideoInput): void {
    checkVideoInput(frame);
  }

  /**
   * Queues a picture. Throws INVALID_ARGUMENT (nothing queued) for a malformed picture, the
   * encoder's failure once it failed, ABORTED once closed. With `block` backpressure the
   * returned promise settles when the encoder took the picture; with `latest` it is resolved.
   */
  push(frame: VideoInput, options?: PushOptions, tag?: unknown): Promise<void> {
    const format = checkVideoInput(frame);
    if (this.failure) throw this.failure;
    if (this.closed) throw reactorError("ABORTED", "The encoder is closed");
    this.counters.pushed++;
    const pending: Pending = {
      input: {
        data: this.own(frame.data, options?.copy === true),
        width: frame.width,
        height: frame.height,
        format,
        pts90k: this.nextPts(frame.timestamp),
        keyframe: false,
        bitrate: 0,
        fps: this.fps,
      },
      pushedAt: performance.now(),
      tag,
    };
    if (this.backpressure === "latest") {
      const replaced = this.queue.pop();
      if (replaced) {
        this.counters.dropped.replaced++;
        this.recycle(replaced.input.data);
      }
      this.queue.push(pending);
      this.pump();
      return SETTLED;
    }
    if (this.queue.length >= BLOCK_QUEUE_MAX) {
      const oldest = this.queue.shift();
      this.counters.dropped.overflow++;
      if (oldest) this.recycle(oldest.input.data);
      oldest?.settle?.();
    }
    const waits = this.inFlight >= ENCODER_PIPELINE_DEPTH || this.queue.length > 0;
    const taken = new Promise<void>((resolve) => {
      pending.settle = resolve;
    });
    this.queue.push(pending);
    if (waits) this.counters.waited++;
    this.pump();
    return taken;
  }

  /** The next picture will be a keyframe (PLI/FIR from the receiver). */
  requestKeyframe(): void {
    this.keyframeWanted = true;
  }

  /** Caps the target bitrate (receiver estimate or loss); `Infinity` lifts the cap. */
  setBitrateCap(bitsPerSecond: number): void {
    this.bitrateCap = bitsPerSecond > 0 ? bitsPerSecond : Number.POSITIVE_INFINITY;
  }

  /** Calls `listener` with every encoded picture, in order. Returns unsubscribe. */
  onEncoded(listener: (picture: EncodedPicture) => void): () => void {
    return this.encodedListeners.add(listener);
  }

  /** Calls `listener` when a picture fails to encode or the encoder dies. Returns unsubscribe. */
  onError(listener: (error: ReactorError) => void): () => void {
    return this.errorListeners.add(listener);
  }

  /** A snapshot of the counters. */
  stats(): VideoEncoderStats {
    const now = performance.now();
    while (this.window.length > 0 && now - this.window[0]!.at > BITRATE_WINDOW_MS) this.window.shift();
    const bytes = this.window.reduce((sum, e) => sum + e.bytes, 0);
    const n = Math.max(1, this.counters.encoded);
    return {
      ...this.counters,
      dropped: { ...this.counters.dropped },
      bitrate: Math.round((bytes * 8 * 1000) / BITRATE_WINDOW_MS),
      targetBitrate: this.applied?.bitrate ?? this.targetFor(640, 360),
      configuredBitrate:
        this.fixedBitrate ?? defaultVideoBitrate(this.counters.width || 640, this.counters.height || 360, this.fps),
      convertMs: this.totals.convertMs / n,
      encodeMs: this.totals.encodeMs / n,
      backend: this.backend,
    };
  }

  /** Drops what waits, stops the worker (threads back to baseline). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue) {
      this.counters.dropped.closed++;
      p.settle?.();
    }
    this.queue = [];
    this.encodedListeners.clear();
    await this.thread.close((api) => api.release());
    this.errorListeners.clear();
  }

  /** Fault injection: the worker dies as if it crashed. */
  simulateCrash(): void {
    this.thread.simulateCrash();
  }

  /**
   * The pixels as a buffer that can be transferred to the worker: the caller's own buffer when
   * the view covers all of it and `copy` is not asked (detached when it is sent), otherwise a
   * copy into a pooled buffer (a view into a larger buffer, e.g. a pooled Buffer, cannot be
   * transferred without its neighbours).
   */
  private own(data: Uint8Array, copy: boolean): Uint8Array {
    if (!copy && coversWholeBuffer(data)) return data;
    const owned = this.take(data.byteLength);
    owned.set(data);
    return owned;
  }

  private take(bytes: number): Uint8Array {
    const buffer = this.pool.take(bytes);
    this.issued.add(buffer);
    return new Uint8Array(buffer);
  }

  /** A picture that will not be encoded: its buffer goes back to the pool if this encoder handed it out. */
  private recycle(data: Uint8Array): void {
    if (this.issued.has(data.buffer)) this.pool.give([data.buffer as ArrayBuffer]);
  }

  private nextPts(timestampMs: number | undefined): number {
    const ms = timestampMs ?? performance.now();
    this.firstTimestamp ??= ms;
    const pts = Math.max(this.lastPts + 1, Math.round((ms - this.firstTimestamp) * 90));
    this.lastPts = pts;
    return pts;
  }

  private targetFor(width: number, height: number): number {
    const target = this.fixedBitrate ?? this.defaultBitrate(width, height);
    return Math.round(Math.min(target, this.bitrateCap));
  }

  /** {@link defaultVideoBitrate} for this size, remembered for the last size (asked once per picture). */
  private defaultBitrate(width: number, height: number): number {
    const last = this.sizeDefault;
    if (last && last.width === width && last.height === height) return last.bitrate;
    const bitrate = defaultVideoBitrate(width, height, this.fps);
    this.sizeDefault = { width, height, bitrate };
    return bitrate;
  }

  /** The target for this picture, holding the running rate through small or frequent cap changes. */
  private bitrateFor(width: number, height: number): number {
    const wanted = this.targetFor(width, height);
    const now = performance.now();
    const last = this.applied;
    if (last && last.width === width && last.height === height) {
      const small = Math.abs(wanted - last.bitrate) <= last.bitrate * BITRATE_CHANGE_MIN_FRACTION;
      if (small || now - last.at < BITRATE_CHANGE_MIN_INTERVAL_MS) return last.bitrate;
    }
    this.applied = { bitrate: wanted, width, height, at: now };
    return wanted;
  }

  private pump(): void {
    while (this.inFlight < ENCODER_PIPELINE_DEPTH && !this.closed && !this.failure) {
      const next = this.queue.shift();
      if (!next) return;
      this.inFlight++;
      next.settle?.();
      const input = next.input;
      input.keyframe = this.keyframeWanted;
      this.keyframeWanted = false;
      input.bitrate = this.bitrateFor(input.width, input.height);
      void this.encode(next, input);
    }
  }

  private async encode(pending: Pending, input: VideoEncodeInput): Promise<void> {
    try {
      await this.ready;
      // The method proxy is looked up once (host.method): comlink builds one per property read.
      const encodeVideo = this.thread.method("encodeVideo");
      const output = await this.thread.call(() => encodeVideo(transferred(input, [input.data.buffer])));
      if (this.closed) return;
      this.pool.give([output.input.buffer as ArrayBuffer]);
      this.counters.encoded++;
      if (output.keyframe) this.counters.keyframes++;
      if (output.reconfigured) this.counters.reconfigurations++;
      this.counters.width = input.width;
      this.counters.height = input.height;
      this.totals.convertMs += output.convertMs;
      this.totals.encodeMs += output.encodeMs;
      this.window.push({ at: performance.now(), bytes: output.data.byteLength });
      const picture: EncodedPicture = {
        data: output.data,
        keyframe: output.keyframe,
        width: input.width,
        height: input.height,
        pts90k: input.pts90k,
        pushedAt: pending.pushedAt,
        tag: pending.tag,
      };
      this.encodedListeners.emit(picture);
    } catch (error) {
      if (this.closed) return;
      const typed = error as ReactorError;
      this.counters.dropped.error++;
      // A failed picture leaves the decoder's reference unknown: make the next one a keyframe.
      this.keyframeWanted = true;
      if (typed.code === "WORKER_CRASHED" || typed.code === "ABORTED") this.fail(typed);
      else this.errorListeners.emit(typed);
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  private fail(error: ReactorError): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    for (const p of this.queue) {
      this.counters.dropped.error++;
      p.settle?.();
    }
    this.queue = [];
    this.errorListeners.emit(error);
  }
}

/**
 * Starts a video encoder (its worker thread starts now; the backend loads in it). Throws
 * INVALID_ARGUMENT when `native` is asked for and node-av is not installed.
 */
export function createVideoEncoder(options: VideoEncoderOptions = {}): VideoEncoder {
  const backend = resolveEncoderBackend(options.backend);
  return new VideoEncoder(options, backend);
}
