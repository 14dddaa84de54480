import { abortError, isReactorError, type ReactorError, reactorError } from "@reactor-node/protocol";
import type { RtpPacket } from "werift/nonstandard";
import { type FrameMetadata, stripFrameMetadata } from "../codec/frame-metadata.js";
import { isVp8Keyframe, vp8KeyframeSize } from "../codec/vp8.js";
import { ConversionStage, type PendingConversion } from "../convert/conversion-stage.js";
import { acquireSharedFramePool } from "../convert/frame-pool.js";
import { WorkerDecoder } from "../decoder/worker-decoder.js";
import type { VideoFrame } from "../frame.js";
import { Listeners } from "../listeners.js";
import type { Logger } from "../logger.js";
import { RtpFrameAssembler } from "../rtp/assembler.js";
import type { EncodedVideoFrame } from "../rtp/encoded-frame.js";
import { RtpClock } from "../rtp/rtp-clock.js";
import type { DecodeResult } from "../worker/decoder-api.js";
import { FrameConsumers } from "./consumers.js";
import { FrameBuffers } from "./frame-buffers.js";
import { KeyframeGate, type KeyframeReason } from "./keyframe-gate.js";
import {
  type FrameStreamOptions,
  type ReceiverSettings,
  receiverSettings,
  type VideoReceiverOptions,
} from "./options.js";
import { emptyStats, type VideoReceiverStats } from "./stats.js";
import type { VideoReceiver } from "./video-receiver.js";

/** Most encoded frames sent to the worker in one message. */
export const MAX_DECODE_BATCH_FRAMES = 8;

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
 * reassembled on the main thread; decoding and conversion run in worker threads (a decoder per
 * stream, converting in place or, with `conversion: "pool"`, on the shared piscina pool). Every
 * encoded frame is decoded (VP8 frames depend on each other); only conversion and delivery are
 * skipped for frames the policy would drop anyway. Throws INVALID_ARGUMENT for bad options
 * (including an unavailable `native` decoder).
 */
export function createVideoReceiver(options: VideoReceiverOptions = {}): VideoReceiver {
  return new Receiver(options);
}

/** What a decoded picture carries to delivery while it waits for conversion. */
interface FrameInfo {
  source: PendingFrame;
  frameNumber: number;
}

/** The implementation behind {@link createVideoReceiver}. */
class Receiver implements VideoReceiver {
  private readonly settings: ReceiverSettings;
  private readonly logger: Logger;
  private readonly decoder: WorkerDecoder;
  private readonly gate: KeyframeGate;
  private readonly clock = new RtpClock();
  private assembler: RtpFrameAssembler | undefined;
  private readonly counters = emptyStats();
  private readonly consumers: FrameConsumers;
  private readonly keyframeListeners: Listeners<KeyframeReason>;
  private readonly errorListeners: Listeners<ReactorError>;
  /** RGB conversion on a piscina pool; undefined for `i420` and `conversion: "worker"`. */
  private readonly stage: ConversionStage<FrameInfo> | undefined;
  private readonly releasePool: (() => Promise<void>) | undefined;
  private pending: PendingFrame[] = [];
  private nextId = 1;
  private busy = false;
  private isClosed = false;
  private closing: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  /** The pixel memory of delivered frames: decoder slots and buffers to hand back. */
  private readonly buffers = new FrameBuffers();
  private readonly startPromise: Promise<void>;
  private readonly onAbort = (): void => void this.close();

  constructor(private readonly options: VideoReceiverOptions) {
    this.settings = receiverSettings(options);
    const { format, conversion, backend } = this.settings;
    this.logger = this.settings.logger;
    this.consumers = new FrameConsumers({
      logger: this.logger,
      policy: this.settings.policy,
      queueSize: this.settings.queueSize,
      counters: this.counters,
      recycle: (frame) => this.recycle(frame),
      onDemand: () => void this.pump(),
    });
    this.keyframeListeners = new Listeners(this.logger, "keyframeNeeded");
    this.errorListeners = new Listeners(this.logger, "error");
    this.gate = new KeyframeGate((reason) => {
      this.counters.keyframeRequests++;
      this.logger.debug({ reason }, "keyframe needed");
      this.keyframeListeners.emit(reason);
    });
    if (format !== "i420" && conversion !== "worker") {
      const shared = conversion === "pool" ? acquireSharedFramePool() : undefined;
      this.releasePool = shared?.release;
      this.stage = new ConversionStage<FrameInfo>({
        pool: shared ? shared.pool : (conversion as Exclude<typeof conversion, string>),
        format,
        latestOnly: () => this.consumers.latestOnly(),
        takeBuffer: (bytes) => this.buffers.takeSpare(bytes),
        onConverted: (rgb, picture, i420, convertMs) => {
          this.counters.convertMs += convertMs;
          this.buffers.giveBack(i420, "decoder");
          this.deliver(rgb, picture.width, picture.height, picture.info);
          void this.pump();
        },
        onDropped: (picture, reason, error) => {
          if (reason === "failed") {
            this.counters.dropped.decodeError++;
            if (error) this.report(error);
          } else this.counters.dropped[reason]++;
          this.buffers.giveBack(picture.i420, "decoder");
          void this.pump();
        },
      });
    }
    this.decoder = new WorkerDecoder({
      output: this.stage ? "i420" : format,
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
    // An own, exact-size copy: it is transferred to the worker. Not `data.slice()`: on a Buffer
    // that is a view, often into Node's shared allocation pool, which Node 22 refuses to transfer
    // (DataCloneError; Node 20 silently copies it).
    this.ingest(new Uint8Array(frame.data), frame.timestamp, frame.receivedAt ?? Date.now(), frame.keyframe);
  }

  onFrame(callback: (frame: VideoFrame) => void): () => void {
    return this.consumers.onFrame(callback);
  }

  frames(options: FrameStreamOptions = {}): AsyncIterableIterator<VideoFrame> {
    return this.consumers.open(options, this.isClosed, this.decoder.failed);
  }

  onKeyframeNeeded(callback: (reason: KeyframeReason) => void): () => void {
    return this.keyframeListeners.add(callback);
  }

  onError(callback: (error: ReactorError) => void): () => void {
    return this.errorListeners.add(callback);
  }

  release(frame: VideoFrame): void {
    this.consumers.release(frame);
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
    this.consumers.close(this.decoder.failed);
    this.pending = [];
    this.stage?.close();
    this.buffers.close();
    this.keyframeListeners.clear();
    await Promise.all([this.decoder.close(), this.releasePool?.()]);
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
    const max = this.settings.maxFramePixels;
    if (!size || size.width * size.height <= max) return false;
    this.counters.dropped.decodeError++;
    this.report(
      reactorError(
        "FRAME_DECODE_ERROR",
        `Video keyframe claims ${size.width}×${size.height}, over the cap of ${max} pixels (maxFramePixels); not decoded`,
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
        let response: DecodeResult;
        try {
          response = await this.decoder.decode({
            frames: batch.map(({ id, data, keyframe }) => ({ id, data, keyframe })),
            deliverLast: this.consumers.budget(batch.length),
            ...this.buffers.takeForBatch(),
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

  /**
   * Under `block`, a full iterator pauses decoding; encoded frames wait in `pending` meanwhile.
   * Decoding also waits while a batch's worth of pictures waits for conversion.
   */
  private paused(): boolean {
    return (this.stage !== undefined && this.stage.size >= MAX_DECODE_BATCH_FRAMES) || this.consumers.blocked;
  }

  private onBatchDecoded(batch: PendingFrame[], response: DecodeResult): void {
    this.counters.decodeMs += response.decodeMs;
    this.counters.convertMs += response.convertMs;
    this.counters.decoderMemoryBytes = response.memoryBytes;
    this.buffers.adopt(response);
    const byId = new Map(batch.map((f) => [f.id, f]));
    let broken = false;
    for (const result of response.frames) {
      const source = byId.get(result.id)!;
      switch (result.status) {
        case "decoded": {
          if (source.keyframe) broken = false;
          this.counters.decoded++;
          const data = this.buffers.pixels(result);
          if (!data) {
            this.counters.dropped.stale++;
            break;
          }
          const info: FrameInfo = { source, frameNumber: this.counters.decoded };
          const picture: PendingConversion<FrameInfo> = {
            i420: data,
            width: result.width,
            height: result.height,
            info,
          };
          if (this.stage) this.stage.push(picture);
          else this.deliver(data, result.width, result.height, info);
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
    this.buffers.workerReplaced();
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

  private deliver(data: Uint8Array, width: number, height: number, { source, frameNumber }: FrameInfo): void {
    this.consumers.dispatch({
      data,
      width,
      height,
      timestamp: source.timestamp,
      receivedAt: source.receivedAt,
      frameNumber,
      format: this.settings.format,
      ...(source.metadata && { metadata: source.metadata }),
    });
  }

  /** A delivered frame's pixels are free: RGB the pool wrote goes back to its writers, the rest to the decoder. */
  private recycle(frame: VideoFrame): void {
    this.buffers.giveBack(frame.data, this.stage && frame.format !== "i420" ? "rgb" : "decoder");
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
    this.consumers.end(reactor);
    void this.close();
  }

  private isIdle(): boolean {
    if (this.isClosed) return true;
    if (this.busy || (this.stage?.size ?? 0) > 0) return false;
    return this.pending.length === 0 || this.paused();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
