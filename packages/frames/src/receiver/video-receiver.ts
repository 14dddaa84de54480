import { abortError, isReactorError, type ReactorError, reactorError } from "@reactor-node/protocol";
import type { RtpPacket } from "werift/nonstandard";
import { type BackpressurePolicy, DEFAULT_QUEUE_SIZE, validatePolicy } from "../backpressure/policy-queue.js";
import { PolicyStream } from "../backpressure/policy-stream.js";
import { type FrameMetadata, stripFrameMetadata } from "../codec/frame-metadata.js";
import { isVp8Keyframe, vp8KeyframeSize } from "../codec/vp8.js";
import { DECODER_ENV_VAR, isNativeDecoderInstalled, resolveDecoderBackend } from "../decoder/backend.js";
import { WorkerDecoder } from "../decoder/worker-decoder.js";
import { FRAME_FORMATS, type FrameFormat, type VideoFrame } from "../frame.js";
import { type Logger, SILENT_LOGGER } from "../logger.js";
import { RtpFrameAssembler } from "../rtp/assembler.js";
import type { EncodedVideoFrame } from "../rtp/encoded-frame.js";
import { RtpClock } from "../rtp/rtp-clock.js";
import { BUFFER_POOL_MAX } from "../worker/buffer-pool.js";
import type { DecodeResponse } from "../worker/messages.js";
import { KeyframeGate, type KeyframeReason } from "./keyframe-gate.js";
import { Listeners } from "./listeners.js";
import { emptyStats, type VideoReceiverStats } from "./stats.js";

/** Most encoded frames sent to the worker in one message. */
export const MAX_DECODE_BATCH_FRAMES = 8;

/**
 * Default cap on a keyframe's coded size, in pixels (4096 × 4096). A VP8 header may claim up to
 * 16383 × 16383: decoding that costs libvpx about 1.5 s and 1.6 GiB of memory per frame, so a
 * forged 10-byte header would be a denial of service.
 */
export const DEFAULT_MAX_FRAME_PIXELS = 4096 * 4096;

/** Options of {@link createVideoReceiver}. */
export interface VideoReceiverOptions {
  /** Backpressure for `onFrame` callbacks and the default for `frames()`. Default `latest`. */
  policy?: BackpressurePolicy;
  /** Bound for `queue`/`block`. Default {@link DEFAULT_QUEUE_SIZE}. */
  queueSize?: number;
  /** Pixel format of delivered frames. Default `rgb24`. */
  format?: FrameFormat;
  /** Decoder backend; default from `REACTOR_FRAMES_DECODER`, else `auto` (wasm unless native is usable). */
  decoder?: "wasm" | "native" | "auto";
  /** Aborting closes the receiver. */
  signal?: AbortSignal;
  logger?: Logger;
  /** RTP payload type of the VP8 stream; other payload types are ignored. Default: accept all. */
  payloadType?: number;
  /** How long the reorder buffer waits for a missing packet (RTP time), ms. */
  jitterLatencyMs?: number;
  /**
   * Set when the session negotiated `a=x-reactor-frame-metadata:1`: every encoded frame ends with a
   * metadata trailer, which is stripped before decoding and surfaced as `VideoFrame.metadata`.
   */
  frameMetadata?: boolean;
  /**
   * Keyframes whose header claims more pixels than this are not decoded: FRAME_DECODE_ERROR, the
   * frame is dropped (`dropped.decodeError`) and a keyframe is requested. Default
   * {@link DEFAULT_MAX_FRAME_PIXELS}.
   */
  maxFramePixels?: number;
}

/** Options of {@link VideoReceiver.frames}. */
export interface FrameStreamOptions {
  policy?: BackpressurePolicy;
  queueSize?: number;
  /** Aborting ends this iterator (cleanly). */
  signal?: AbortSignal;
}

/** Decodes one VP8 video stream to frames off the main thread. See {@link createVideoReceiver}. */
export interface VideoReceiver extends AsyncDisposable {
  /** Resolves once the decoder worker is up; rejects with the ReactorError that prevents decoding. */
  ready(): Promise<void>;
  /** Feeds one RTP packet of the track (werift's `RtpPacket`); `receivedAt` (ms epoch) defaults to now. */
  pushRtp(packet: RtpPacket, receivedAt?: number): void;
  /** Feeds one complete encoded VP8 frame (from another source, or tests). The bytes are copied. */
  pushEncodedFrame(frame: EncodedVideoFrame): void;
  /** Calls `callback` with every delivered frame (hot path, receiver policy). Returns unsubscribe. */
  onFrame(callback: (frame: VideoFrame) => void): () => void;
  /** Frames as an async iterator with its own bounded policy; ends on close, abort and `break`. */
  frames(options?: FrameStreamOptions): AsyncIterableIterator<VideoFrame>;
  /** Called when the decoder needs a keyframe (send an RTCP PLI). Returns unsubscribe. */
  onKeyframeNeeded(callback: (reason: KeyframeReason) => void): () => void;
  /** Called with every error (decode errors, worker crashes, fatal failures). Returns unsubscribe. */
  onError(callback: (error: ReactorError) => void): () => void;
  /** Hands a frame's buffer back for reuse; the frame must not be used afterwards. Optional. */
  release(frame: VideoFrame): void;
  /** Waits until every frame pushed so far is decoded and dispatched (or dropped). */
  flush(): Promise<void>;
  /** A snapshot of the counters. */
  stats(): VideoReceiverStats;
  /** Fault injection (like LiveKit's `simulateScenario`): the decoder worker exits as if it crashed. */
  simulateWorkerCrash(): void;
  /** Thread id of the current decoder worker, if started. */
  readonly workerThreadId: number | undefined;
  readonly closed: boolean;
  /** Ends every iterator, terminates the worker and releases all listeners. Idempotent. */
  close(): Promise<void>;
}

interface PendingFrame {
  id: number;
  data: Uint8Array;
  keyframe: boolean;
  timestamp: number;
  receivedAt: number;
  metadata: FrameMetadata | undefined;
}

/**
 * Creates a receiver for one VP8 video stream: RTP (or encoded frames) in, RGB frames out. RTP is
 * reassembled on the main thread; decoding and conversion run in a dedicated worker thread. Every
 * encoded frame is decoded (VP8 frames depend on each other); only conversion and delivery are
 * skipped for frames the policy would drop anyway. Throws INVALID_ARGUMENT for bad options
 * (including an unavailable `native` decoder).
 */
export function createVideoReceiver(options: VideoReceiverOptions = {}): VideoReceiver {
  return new Receiver(options);
}

class Receiver implements VideoReceiver {
  private readonly logger: Logger;
  private readonly policy: BackpressurePolicy;
  private readonly queueSize: number;
  private readonly maxFramePixels: number;
  private readonly decoder: WorkerDecoder;
  private readonly gate: KeyframeGate;
  private readonly clock = new RtpClock();
  private assembler: RtpFrameAssembler | undefined;
  private readonly counters = emptyStats();
  private readonly frameListeners: Listeners<VideoFrame>;
  private readonly keyframeListeners: Listeners<KeyframeReason>;
  private readonly errorListeners: Listeners<ReactorError>;
  private readonly streams = new Set<PolicyStream<VideoFrame>>();
  private pending: PendingFrame[] = [];
  private nextId = 1;
  private busy = false;
  private isClosed = false;
  private closing: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private recycled: ArrayBuffer[] = [];
  /** Frames queued only in iterators (no callback saw them): how many iterators still hold each. */
  private readonly recyclable = new WeakMap<VideoFrame, number>();
  private readonly startPromise: Promise<void>;
  private readonly onAbort = (): void => void this.close();

  constructor(private readonly options: VideoReceiverOptions) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.policy = options.policy ?? "latest";
    this.queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    validatePolicy(this.policy, this.queueSize);
    this.maxFramePixels = options.maxFramePixels ?? DEFAULT_MAX_FRAME_PIXELS;
    if (!Number.isSafeInteger(this.maxFramePixels) || this.maxFramePixels < 1) {
      throw reactorError(
        "INVALID_ARGUMENT",
        `maxFramePixels must be a positive integer, got ${String(options.maxFramePixels)}`,
      );
    }
    const format = options.format ?? "rgb24";
    if (!FRAME_FORMATS.includes(format)) {
      throw reactorError(
        "INVALID_ARGUMENT",
        `Unknown frame format "${String(format)}"; expected ${FRAME_FORMATS.join(", ")}`,
      );
    }
    const backend = resolveDecoderBackend({
      requested: options.decoder,
      env: process.env[DECODER_ENV_VAR],
      nativeInstalled: isNativeDecoderInstalled(),
    });
    this.frameListeners = new Listeners(this.logger, "frame");
    this.keyframeListeners = new Listeners(this.logger, "keyframeNeeded");
    this.errorListeners = new Listeners(this.logger, "error");
    this.gate = new KeyframeGate((reason) => {
      this.counters.keyframeRequests++;
      this.logger.debug({ reason }, "keyframe needed");
      this.keyframeListeners.emit(reason);
    });
    this.decoder = new WorkerDecoder({
      format,
      backend,
      logger: this.logger,
      onCrash: (error, restarting) => this.onWorkerCrash(error, restarting),
    });
    this.startPromise = this.decoder.start();
    this.startPromise.catch((error: unknown) => this.fail(error, false));
    if (options.signal?.aborted) void this.close();
    else options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get workerThreadId(): number | undefined {
    return this.decoder.threadId;
  }

  ready(): Promise<void> {
    if (this.isClosed && !this.decoder.failed) return Promise.reject(abortError(this.options.signal, "The receiver"));
    return this.startPromise;
  }

  pushRtp(packet: RtpPacket, receivedAt?: number): void {
    if (this.isClosed) return;
    this.assembler ??= new RtpFrameAssembler({
      payloadType: this.options.payloadType,
      jitterLatencyMs: this.options.jitterLatencyMs,
      onFrame: (frame) => this.ingest(frame.data, this.clock.toMs(frame.rtpTimestamp), frame.receivedAt),
      onLoss: (loss) => {
        this.counters.packetsLost += ((loss.to - loss.from + 0x10000) % 0x10000) + 1;
        this.logger.debug({ ...loss }, "rtp packets lost");
        this.gate.break("packetLoss", Date.now());
      },
      onResync: (reason, dropped) => {
        this.counters.resyncs++;
        this.logger.debug({ reason, dropped }, "rtp stream resynchronised");
        // Held frames and the reference chain belong to the old stream.
        this.gate.break("resync", Date.now());
      },
    });
    this.assembler.push(packet, receivedAt);
  }

  pushEncodedFrame(frame: EncodedVideoFrame): void {
    if (this.isClosed) return;
    // An own, exact-size copy: it is transferred to the worker.
    this.ingest(frame.data.slice(), frame.timestamp, frame.receivedAt ?? Date.now(), frame.keyframe);
  }

  onFrame(callback: (frame: VideoFrame) => void): () => void {
    return this.frameListeners.add(callback);
  }

  frames(options: FrameStreamOptions = {}): AsyncIterableIterator<VideoFrame> {
    const policy = options.policy ?? this.policy;
    const queueSize = options.queueSize ?? this.queueSize;
    validatePolicy(policy, queueSize);
    const stream: PolicyStream<VideoFrame> = new PolicyStream<VideoFrame>({
      policy,
      queueSize,
      signal: options.signal,
      onDrop: (frame, reason) => {
        this.counters.dropped[reason]++;
        this.unref(frame);
      },
      onDiscard: (frames) => {
        for (const frame of frames) this.unref(frame);
      },
      onTake: (frame) => {
        this.counters.delivered++;
        this.recyclable.delete(frame);
        void this.pump();
      },
      onDemand: () => void this.pump(),
      onEnd: () => {
        this.streams.delete(stream);
        void this.pump();
      },
    });
    if (this.isClosed) stream.end(this.decoder.failed);
    else this.streams.add(stream);
    return stream;
  }

  onKeyframeNeeded(callback: (reason: KeyframeReason) => void): () => void {
    return this.keyframeListeners.add(callback);
  }

  onError(callback: (error: ReactorError) => void): () => void {
    return this.errorListeners.add(callback);
  }

  release(frame: VideoFrame): void {
    this.recyclable.delete(frame);
    this.recycle(frame.data.buffer as ArrayBuffer);
  }

  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): VideoReceiverStats {
    return {
      ...this.counters,
      dropped: { ...this.counters.dropped },
      pendingEncoded: this.pending.length,
      packetsDiscarded: this.assembler?.discarded ?? 0,
    };
  }

  simulateWorkerCrash(): void {
    this.decoder.simulateCrash();
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.isClosed = true; // before shutdown(): ending iterators calls back into the receiver
      this.closing = this.shutdown();
    }
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.assembler?.close();
    const failure = this.decoder.failed;
    for (const stream of [...this.streams]) stream.end(failure);
    this.streams.clear();
    this.pending = [];
    this.recycled = [];
    this.frameListeners.clear();
    this.keyframeListeners.clear();
    await this.decoder.close();
    this.errorListeners.clear();
    this.notifyIdle();
  }

  /** `data` must own its buffer (it is transferred to the worker). */
  private ingest(data: Uint8Array, timestamp: number, receivedAt: number, keyframe?: boolean): void {
    if (this.isClosed) return;
    this.counters.received++;
    let metadata: FrameMetadata | undefined;
    if (this.options.frameMetadata) {
      const split = stripFrameMetadata(data);
      metadata = split.metadata;
      if (metadata) data = split.payload.slice();
    }
    if (this.oversized(data)) return;
    const key = keyframe ?? isVp8Keyframe(data);
    if (!this.gate.admit(key, Date.now())) {
      this.counters.dropped.beforeKeyframe++;
      return;
    }
    this.pending.push({ id: this.nextId++, data, keyframe: key, timestamp, receivedAt, metadata });
    void this.pump();
  }

  /**
   * Rejects a keyframe whose header claims more than `maxFramePixels` (read from the bytes, not
   * the caller's `keyframe` flag: the decoder goes by the bytes too). Delta frames keep the size.
   */
  private oversized(data: Uint8Array): boolean {
    const size = vp8KeyframeSize(data);
    if (!size || size.width * size.height <= this.maxFramePixels) return false;
    this.counters.dropped.decodeError++;
    this.report(
      reactorError(
        "FRAME_DECODE_ERROR",
        `Video keyframe claims ${size.width}×${size.height}, over the cap of ${this.maxFramePixels} pixels (maxFramePixels); not decoded`,
      ),
    );
    // The frames after it refer to it: drop them until a keyframe that fits.
    this.gate.break("decodeError", Date.now());
    return true;
  }

  /** Feeds the worker one batch at a time; at most one batch in flight. */
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.isClosed && this.pending.length > 0 && !this.paused()) {
        const batch = this.pending.splice(0, MAX_DECODE_BATCH_FRAMES);
        const recycled = this.recycled.filter((b) => b.byteLength > 0);
        this.recycled = [];
        let response: DecodeResponse;
        try {
          response = await this.decoder.decode({
            frames: batch.map(({ id, data, keyframe }) => ({ id, data, keyframe })),
            convertLast: this.conversionBudget(batch.length),
            recycled,
          });
        } catch (error) {
          this.onBatchFailed(batch, error);
          continue;
        }
        this.onBatchDecoded(batch, response);
      }
    } finally {
      this.busy = false;
      if (this.isIdle()) this.notifyIdle();
    }
  }

  /** Under `block`, a full iterator pauses decoding; encoded frames wait in `pending` meanwhile. */
  private paused(): boolean {
    for (const stream of this.streams) if (stream.policy === "block" && stream.full) return true;
    return false;
  }

  /** How many of the batch's newest frames are worth converting given who is consuming. */
  private conversionBudget(batchLength: number): number {
    let budget = 0;
    if (this.frameListeners.size > 0) budget = need(this.policy, this.queueSize, batchLength);
    for (const stream of this.streams) {
      budget = Math.max(budget, need(stream.policy, stream.capacity, batchLength));
    }
    return budget;
  }

  private onBatchDecoded(batch: PendingFrame[], response: DecodeResponse): void {
    this.counters.decodeMs += response.decodeMs;
    this.counters.convertMs += response.convertMs;
    this.counters.decoderMemoryBytes = response.memoryBytes;
    const byId = new Map(batch.map((f) => [f.id, f]));
    let broken = false;
    for (const result of response.results) {
      const source = byId.get(result.id)!;
      switch (result.status) {
        case "decoded": {
          if (source.keyframe) broken = false;
          this.counters.decoded++;
          if (!result.data) {
            this.counters.dropped.stale++;
            break;
          }
          this.dispatch({
            data: result.data,
            width: result.width,
            height: result.height,
            timestamp: source.timestamp,
            receivedAt: source.receivedAt,
            frameNumber: this.counters.decoded,
            format: this.options.format ?? "rgb24",
            ...(source.metadata && { metadata: source.metadata }),
          });
          break;
        }
        case "noPicture":
          break;
        case "error": {
          broken = true;
          this.counters.dropped.decodeError++;
          this.report(reactorError("FRAME_DECODE_ERROR", `Video frame could not be decoded: ${result.message}`));
          break;
        }
        case "skipped":
          this.counters.dropped.beforeKeyframe++;
          break;
      }
    }
    if (broken) this.chainBroken("decodeError");
  }

  private onBatchFailed(batch: PendingFrame[], error: unknown): void {
    if (this.isClosed) return;
    const failure = this.decoder.failed;
    if (failure) {
      this.fail(failure, false);
      return;
    }
    if (isReactorError(error) && error.code === "WORKER_CRASHED") {
      // The crash itself was reported by onWorkerCrash; the in-flight frames are gone.
      this.counters.dropped.decodeError += batch.length;
      return;
    }
    this.fail(error, false);
  }

  private onWorkerCrash(error: ReactorError, restarting: boolean): void {
    if (this.isClosed) return;
    if (!restarting) {
      this.fail(error, false);
      return;
    }
    this.report(error);
    this.counters.workerRestarts++;
    // The new worker has no reference frames: resume at the next keyframe.
    this.chainBroken("workerRestart");
  }

  /** Drops queued deltas up to the next queued keyframe; with none queued, waits for (and requests) one. */
  private chainBroken(reason: KeyframeReason): void {
    const keyIndex = this.pending.findIndex((f) => f.keyframe);
    const dropCount = keyIndex < 0 ? this.pending.length : keyIndex;
    this.counters.dropped.beforeKeyframe += dropCount;
    this.pending.splice(0, dropCount);
    if (keyIndex < 0) this.gate.break(reason, Date.now());
  }

  private dispatch(frame: VideoFrame): void {
    const hasCallbacks = this.frameListeners.size > 0;
    if (!hasCallbacks && this.streams.size === 0) {
      this.counters.dropped.stale++;
      this.recycle(frame.data.buffer as ArrayBuffer);
      return;
    }
    if (hasCallbacks) {
      this.counters.delivered++;
      this.frameListeners.emit(frame);
    } else {
      this.recyclable.set(frame, this.streams.size);
    }
    // Drops are counted by each stream's onDrop.
    for (const stream of [...this.streams]) stream.push(frame);
  }

  /** One iterator no longer holds `frame`; recycle its buffer when nobody else can see it. */
  private unref(frame: VideoFrame): void {
    const holders = this.recyclable.get(frame);
    if (holders === undefined) return;
    if (holders > 1) {
      this.recyclable.set(frame, holders - 1);
      return;
    }
    this.recyclable.delete(frame);
    this.recycle(frame.data.buffer as ArrayBuffer);
  }

  private recycle(buffer: ArrayBuffer): void {
    if (this.isClosed || buffer.byteLength === 0 || this.recycled.length >= BUFFER_POOL_MAX) return;
    if (this.recycled.includes(buffer)) return;
    this.recycled.push(buffer);
  }

  private report(error: ReactorError): void {
    this.logger.warn({ err: error }, error.message);
    this.errorListeners.emit(error);
  }

  /** A failure that stops decoding for good: report it, end iterators with it, close. */
  private fail(error: unknown, reported: boolean): void {
    if (this.isClosed) return;
    const reactor = isReactorError(error)
      ? error
      : reactorError("WORKER_CRASHED", `The decoder failed: ${String(error)}`, { cause: error });
    if (!reported) this.report(reactor);
    for (const stream of [...this.streams]) stream.end(reactor);
    void this.close();
  }

  private isIdle(): boolean {
    return this.isClosed || (!this.busy && (this.pending.length === 0 || this.paused()));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function need(policy: BackpressurePolicy, queueSize: number, batchLength: number): number {
  if (policy === "latest") return 1;
  if (policy === "queue") return Math.min(queueSize, batchLength);
  return batchLength;
}
