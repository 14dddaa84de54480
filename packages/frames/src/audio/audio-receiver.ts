/**
 * Received audio → PCM: RTP packets are put back in order on this thread (the same reorder buffer
 * as video), gaps are measured on the RTP clock and sent as concealment requests, and a worker
 * thread decodes Opus, conceals and resamples (see opus-decoder-worker.ts). Frames go to
 * callbacks and to bounded iterators with the same policies as video frames.
 */
import {
  AUDIO_RTP_CLOCK_HZ,
  type AudioFrame,
  isReactorError,
  type ReactorError,
  reactorError,
} from "@reactor-node/protocol";
import type { RtpPacket } from "werift/nonstandard";
import { type BackpressurePolicy, type DropReason, validatePolicy } from "../backpressure/policy-queue.js";
import { PolicyStream } from "../backpressure/policy-stream.js";
import { Listeners } from "../listeners.js";
import { type Logger, SILENT_LOGGER } from "../logger.js";
import { ReorderBuffer } from "../rtp/reorder-buffer.js";
import { RtpClock } from "../rtp/rtp-clock.js";
import { AudioWorker } from "./audio-worker.js";
import { CONCEAL_FADE_END_MS } from "./concealment.js";
import type { AudioWorkItem, AudioWorkResult } from "./messages.js";
import { opusPacketSamples } from "./opus-packet.js";

/** Default output: 48 kHz mono, what the service sends (docs/protocol.md §6). */
export const DEFAULT_AUDIO_SAMPLE_RATE = 48_000;
/** Output rates a receiver accepts. */
export const AUDIO_SAMPLE_RATE_MIN = 8_000;
export const AUDIO_SAMPLE_RATE_MAX = 96_000;
/**
 * Default iterator bound: one second of 20 ms frames. Audio frames are consecutive pieces of one
 * signal, so the default policy is `queue` (keeping only the latest would tear it apart).
 */
export const DEFAULT_AUDIO_QUEUE_FRAMES = 50;
/** How long a missing packet is waited for before it is concealed (RTP time), ms. */
export const DEFAULT_AUDIO_JITTER_MS = 60;
/** A timestamp further than this from the stream's newest is a restart or garbage, not a gap. */
const MAX_TIMESTAMP_JUMP_MS = 60_000;
/** Longest gap filled with concealment; a longer one (a pause, a stall) is a discontinuity. */
export const MAX_CONCEALED_GAP_MS = 120;
/** Most items sent to the worker in one message. */
const MAX_AUDIO_BATCH = 16;

/** Options of {@link createAudioReceiver}. */
export interface AudioReceiverOptions {
  /** Output sample rate in Hz (resampled from Opus's 48 kHz). Default 48 000. */
  sampleRate?: number;
  /** Output channels, 1 or 2 (the stream is mixed down or up to it). Default 1. */
  channels?: 1 | 2;
  /** Policy of `frames()` iterators. Default `queue`. */
  policy?: BackpressurePolicy;
  /** Bound for `queue`/`block`. Default {@link DEFAULT_AUDIO_QUEUE_FRAMES}. */
  queueSize?: number;
  /** RTP payload type of the Opus stream; others are ignored. Default: accept all. */
  payloadType?: number;
  /** How long the reorder buffer waits for a missing packet, ms. */
  jitterLatencyMs?: number;
  /** Aborting closes the receiver. */
  signal?: AbortSignal;
  logger?: Logger;
}

/** Options of {@link AudioReceiver.frames}. */
export interface AudioFrameStreamOptions {
  policy?: BackpressurePolicy;
  queueSize?: number;
  signal?: AbortSignal;
}

/** Counters of an audio receiver. */
export interface AudioReceiverStats {
  /** Opus packets received (after reordering, duplicates removed). */
  received: number;
  /** Packets decoded to PCM. */
  decoded: number;
  /** Concealment frames synthesised for missing packets. */
  concealed: number;
  /** Gaps too long to conceal (the stream jumps forward). */
  discontinuities: number;
  /** RTP packets the reorder buffer gave up on. */
  packetsLost: number;
  /** Times the stream started over on a new RTP sequence. */
  resyncs: number;
  /** Frame handoffs to consumers (each callback call and each iterator counts). */
  delivered: number;
  /** Frames or packets not delivered, by reason (`decodeError` includes malformed packets). */
  dropped: Record<DropReason, number>;
  workerRestarts: number;
  /** Items waiting for the worker. */
  pending: number;
  /** Worker-side time spent decoding, concealing and resampling, total ms. */
  decodeMs: number;
}

/** Decodes one Opus stream to PCM off the main thread. See {@link createAudioReceiver}. */
export interface AudioReceiver extends AsyncDisposable {
  /** Resolves once the decoder worker is up; rejects with the error that prevents decoding. */
  ready(): Promise<void>;
  /** Feeds one RTP packet of the track; `receivedAt` (ms epoch) defaults to now. */
  pushRtp(packet: RtpPacket, receivedAt?: number): void;
  /** Calls `callback` with every frame, in order. Returns unsubscribe. */
  onFrame(callback: (frame: AudioFrame) => void): () => void;
  /** Frames as an async iterator with its own bounded policy; ends on close, abort and `break`. */
  frames(options?: AudioFrameStreamOptions): AsyncIterableIterator<AudioFrame>;
  /** Called with every error (decode errors, worker crashes). Returns unsubscribe. */
  onError(callback: (error: ReactorError) => void): () => void;
  /** Waits until everything pushed so far is decoded and dispatched. */
  flush(): Promise<void>;
  stats(): AudioReceiverStats;
  /** Fault injection: the decoder worker exits as if it crashed. */
  simulateWorkerCrash(): void;
  readonly workerThreadId: number | undefined;
  readonly sampleRate: number;
  readonly channels: number;
  readonly closed: boolean;
  /** Ends every iterator and stops the worker. Idempotent. */
  close(): Promise<void>;
}

interface PendingItem {
  item: AudioWorkItem;
  timestamp: number;
  receivedAt: number;
}

/**
 * Creates a receiver for one Opus stream. Throws INVALID_ARGUMENT for a sample rate outside
 * 8–96 kHz, a channel count other than 1 or 2, or a bad policy.
 */
export function createAudioReceiver(options: AudioReceiverOptions = {}): AudioReceiver {
  return new Receiver(options);
}

class Receiver implements AudioReceiver {
  readonly sampleRate: number;
  readonly channels: number;
  private readonly logger: Logger;
  private readonly policy: BackpressurePolicy;
  private readonly queueSize: number;
  private readonly worker: AudioWorker;
  private readonly clock = new RtpClock(AUDIO_RTP_CLOCK_HZ);
  private readonly reorder: ReorderBuffer<{ packet: RtpPacket; receivedAt: number }>;
  private readonly frameListeners: Listeners<AudioFrame>;
  private readonly errorListeners: Listeners<ReactorError>;
  private readonly streams = new Set<PolicyStream<AudioFrame>>();
  private readonly counters: Omit<AudioReceiverStats, "pending"> = {
    received: 0,
    decoded: 0,
    concealed: 0,
    discontinuities: 0,
    packetsLost: 0,
    resyncs: 0,
    delivered: 0,
    dropped: { stale: 0, queueFull: 0, beforeKeyframe: 0, decodeError: 0 },
    workerRestarts: 0,
    decodeMs: 0,
  };
  /** RTP timestamp the next packet should carry (previous + its duration). */
  private expected: number | undefined;
  private pending: PendingItem[] = [];
  private nextId = 1;
  private busy = false;
  private isClosed = false;
  private closing: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly startPromise: Promise<void>;
  private readonly onAbort = (): void => void this.close();

  constructor(private readonly options: AudioReceiverOptions) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.sampleRate = options.sampleRate ?? DEFAULT_AUDIO_SAMPLE_RATE;
    this.channels = options.channels ?? 1;
    if (
      !Number.isInteger(this.sampleRate) ||
      this.sampleRate < AUDIO_SAMPLE_RATE_MIN ||
      this.sampleRate > AUDIO_SAMPLE_RATE_MAX
    ) {
      throw reactorError(
        "INVALID_ARGUMENT",
        `sampleRate must be an integer from ${AUDIO_SAMPLE_RATE_MIN} to ${AUDIO_SAMPLE_RATE_MAX} Hz, got ${options.sampleRate}`,
      );
    }
    if (this.channels !== 1 && this.channels !== 2) {
      throw reactorError("INVALID_ARGUMENT", `channels must be 1 or 2, got ${String(options.channels)}`);
    }
    this.policy = options.policy ?? "queue";
    this.queueSize = options.queueSize ?? DEFAULT_AUDIO_QUEUE_FRAMES;
    validatePolicy(this.policy, this.queueSize);
    this.frameListeners = new Listeners(this.logger, "audioFrame");
    this.errorListeners = new Listeners(this.logger, "error");
    this.reorder = new ReorderBuffer({
      maxWaitTicks: ((options.jitterLatencyMs ?? DEFAULT_AUDIO_JITTER_MS) * AUDIO_RTP_CLOCK_HZ) / 1000,
      onPacket: ({ packet, receivedAt }) => this.onPacket(packet, receivedAt),
      maxJumpTicks: (MAX_TIMESTAMP_JUMP_MS * AUDIO_RTP_CLOCK_HZ) / 1000,
      onLoss: (from, to) => {
        this.counters.packetsLost += ((to - from + 0x10000) % 0x10000) + 1;
      },
      // A new sequence (sender restart): its timestamps say nothing about the old one's gaps.
      onResync: (_reason, dropped) => {
        this.counters.resyncs++;
        this.counters.dropped.decodeError += dropped;
        this.expected = undefined;
      },
    });
    this.worker = new AudioWorker(
      { sampleRate: this.sampleRate, channels: this.channels },
      this.logger,
      (error, restarting) => {
        if (this.isClosed) return;
        this.report(error);
        if (restarting) this.counters.workerRestarts++;
        else this.fail(error);
      },
    );
    this.startPromise = this.worker.start();
    this.startPromise.catch((error: unknown) => this.fail(error));
    if (options.signal?.aborted) void this.close();
    else options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get workerThreadId(): number | undefined {
    return this.worker.threadId;
  }

  ready(): Promise<void> {
    return this.startPromise;
  }

  pushRtp(packet: RtpPacket, receivedAt: number = Date.now()): void {
    if (this.isClosed) return;
    const { payloadType, sequenceNumber, timestamp } = packet.header;
    if (this.options.payloadType !== undefined && payloadType !== this.options.payloadType) return;
    this.reorder.push(sequenceNumber, timestamp, { packet, receivedAt });
  }

  onFrame(callback: (frame: AudioFrame) => void): () => void {
    return this.frameListeners.add(callback);
  }

  frames(options: AudioFrameStreamOptions = {}): AsyncIterableIterator<AudioFrame> {
    const policy = options.policy ?? this.policy;
    const queueSize = options.queueSize ?? this.queueSize;
    validatePolicy(policy, queueSize);
    const stream: PolicyStream<AudioFrame> = new PolicyStream<AudioFrame>({
      policy,
      queueSize,
      signal: options.signal,
      onDrop: (_frame, reason) => {
        this.counters.dropped[reason]++;
      },
      onTake: () => {
        this.counters.delivered++;
        void this.pump();
      },
      onDemand: () => void this.pump(),
      onEnd: () => {
        this.streams.delete(stream);
        void this.pump();
      },
    });
    if (this.isClosed) stream.end(this.worker.failed);
    else this.streams.add(stream);
    return stream;
  }

  onError(callback: (error: ReactorError) => void): () => void {
    return this.errorListeners.add(callback);
  }

  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): AudioReceiverStats {
    return { ...this.counters, dropped: { ...this.counters.dropped }, pending: this.pending.length };
  }

  simulateWorkerCrash(): void {
    this.worker.simulateCrash();
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.isClosed = true;
      this.closing = this.shutdown();
    }
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    this.options.signal?.removeEventListener("abort", this.onAbort);
    for (const stream of [...this.streams]) stream.end(this.worker.failed);
    this.streams.clear();
    this.pending = [];
    this.frameListeners.clear();
    await this.worker.close();
    this.errorListeners.clear();
    this.notifyIdle();
  }

  private onPacket(packet: RtpPacket, receivedAt: number): void {
    if (this.isClosed) return;
    const data = new Uint8Array(packet.payload);
    const samples = opusPacketSamples(data);
    if (samples === undefined) {
      this.counters.dropped.decodeError++;
      return;
    }
    this.counters.received++;
    const ts = packet.header.timestamp >>> 0;
    if (this.expected !== undefined) {
      // Signed 32-bit distance from where the stream should be.
      const gap = ((ts - this.expected) | 0) as number;
      if (gap > 0) this.conceal(gap, this.expected, receivedAt);
    }
    this.expected = (ts + samples) >>> 0;
    this.enqueue({ kind: "packet", id: this.nextId++, data }, this.clock.toMs(ts), receivedAt);
  }

  /** Fills a gap of `samples` (48 kHz) before the packet at `ts`: concealed if short, skipped if long. */
  private conceal(samples: number, from: number, receivedAt: number): void {
    const max = (MAX_CONCEALED_GAP_MS * AUDIO_RTP_CLOCK_HZ) / 1000;
    let fill = samples;
    if (samples > max) {
      this.counters.discontinuities++;
      // The fade-out still ends the old signal gently; the rest of the gap is skipped.
      fill = (CONCEAL_FADE_END_MS * AUDIO_RTP_CLOCK_HZ) / 1000;
    }
    this.counters.concealed++;
    this.enqueue({ kind: "gap", id: this.nextId++, samples: fill }, this.clock.toMs(from), receivedAt);
  }

  private enqueue(item: AudioWorkItem, timestamp: number, receivedAt: number): void {
    this.pending.push({ item, timestamp, receivedAt });
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.isClosed && this.pending.length > 0 && !this.paused()) {
        const batch = this.pending.splice(0, MAX_AUDIO_BATCH);
        let outcome: { results: AudioWorkResult[]; decodeMs: number };
        try {
          outcome = await this.worker.decode(batch.map((p) => p.item));
        } catch (error) {
          if (this.isClosed) break;
          const failure = this.worker.failed;
          if (failure) {
            this.fail(failure);
            break;
          }
          // A crash loses the batch in flight (the crash itself was reported).
          this.counters.dropped.decodeError += batch.length;
          if (!(isReactorError(error) && error.code === "WORKER_CRASHED")) this.report(toError(error));
          continue;
        }
        this.counters.decodeMs += outcome.decodeMs;
        const byId = new Map(batch.map((p) => [p.item.id, p]));
        for (const result of outcome.results) this.onResult(result, byId.get(result.id)!);
      }
    } finally {
      this.busy = false;
      if (this.isIdle()) this.notifyIdle();
    }
  }

  private onResult(result: AudioWorkResult, source: PendingItem): void {
    if (result.status === "error") {
      this.counters.dropped.decodeError++;
      this.report(reactorError("FRAME_DECODE_ERROR", `Audio packet could not be decoded: ${result.message}`));
      return;
    }
    if (result.status === "decoded") this.counters.decoded++;
    if (result.data.length === 0) return;
    const frame: AudioFrame = {
      data: result.data,
      sampleRate: this.sampleRate,
      channels: this.channels,
      samplesPerChannel: result.data.length / this.channels,
      timestamp: source.timestamp,
      receivedAt: source.receivedAt,
      ...(result.status === "concealed" && { concealed: true }),
    };
    if (this.frameListeners.size > 0) {
      this.counters.delivered++;
      this.frameListeners.emit(frame);
    }
    for (const stream of [...this.streams]) stream.push(frame);
  }

  private paused(): boolean {
    for (const stream of this.streams) if (stream.policy === "block" && stream.full) return true;
    return false;
  }

  private isIdle(): boolean {
    return this.isClosed || (!this.busy && (this.pending.length === 0 || this.paused()));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private report(error: ReactorError): void {
    this.logger.warn({ err: error }, error.message);
    this.errorListeners.emit(error);
  }

  private fail(error: unknown): void {
    if (this.isClosed) return;
    const typed = toError(error);
    this.report(typed);
    for (const stream of [...this.streams]) stream.end(typed);
    void this.close();
  }
}

function toError(error: unknown): ReactorError {
  return isReactorError(error)
    ? error
    : reactorError("WORKER_CRASHED", `The audio decoder failed: ${String(error)}`, { cause: error });
}
