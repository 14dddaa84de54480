/**
 * The main-thread handle of one published audio track's Opus encoder. `push()` validates PCM of
 * any rate and channel count and posts it to the encoder worker, which resamples to 48 kHz and
 * returns 20 ms Opus packets in order. Audio is never replaced (a gap is audible): chunks queue
 * in order, bounded by {@link AUDIO_QUEUE_MAX_MS} of audio, past which the oldest is dropped.
 */
import { type ReactorError, reactorError } from "@reactor-node/protocol";
import { Listeners } from "../listeners.js";
import { type Logger, SILENT_LOGGER } from "../logger.js";
import { transferred, type WorkerHost } from "../worker/comlink-host.js";
import { encoderThread } from "./encoder-thread.js";
import { DEFAULT_OPUS_BITRATE } from "./opus-engine.js";
import { OPUS_FRAME_SAMPLES } from "./resampler.js";
import type { EncoderWorkerApi } from "./worker-api.js";

/** PCM a caller pushes: the shape of a received `AudioFrame` (extra fields ignored). */
export interface AudioInput {
  /** Interleaved signed 16-bit samples, `samplesPerChannel * channels` of them. */
  data: Int16Array;
  sampleRate: number;
  channels: number;
}

/** Most audio waiting for the encoder before the oldest chunk is dropped (reason `overflow`). */
export const AUDIO_QUEUE_MAX_MS = 2_000;
/** Sample rates accepted on input (Hz). */
export const AUDIO_MIN_SAMPLE_RATE_HZ = 8_000;
export const AUDIO_MAX_SAMPLE_RATE_HZ = 192_000;
/** Most input channels (mixed down to the encoder's). */
export const AUDIO_MAX_CHANNELS = 8;

/** Options of {@link createAudioEncoder}. */
export interface AudioEncoderOptions {
  /** Channels encoded (default 1, as the runtime's tracks are mono); input is mixed to it. */
  channels?: 1 | 2;
  /** Opus bitrate (default {@link DEFAULT_OPUS_BITRATE}). */
  bitrate?: number;
  logger?: Logger;
}

/** One Opus packet of 20 ms. */
export interface EncodedAudioPacket {
  data: Uint8Array;
  /** Position of its first sample on the 48 kHz clock (unwrapped, from 0). */
  pts48k: number;
}

/** Counters of an audio encoder. */
export interface AudioEncoderStats {
  pushed: number;
  /** Input samples per channel pushed. */
  samplesPushed: number;
  packets: number;
  dropped: { overflow: number; error: number; closed: number };
  encodeMs: number;
}

/** Checks a pushed audio chunk; throws INVALID_ARGUMENT naming what is wrong. */
export function validateAudioInput(frame: unknown): AudioInput {
  if (typeof frame !== "object" || frame === null) {
    throw reactorError("INVALID_ARGUMENT", "pushFrame() needs an audio frame {data: Int16Array, sampleRate, channels}");
  }
  const f = frame as Partial<AudioInput>;
  if (!(f.data instanceof Int16Array)) throw reactorError("INVALID_ARGUMENT", "audio frame.data must be an Int16Array");
  const rate = f.sampleRate;
  if (
    typeof rate !== "number" ||
    !Number.isInteger(rate) ||
    rate < AUDIO_MIN_SAMPLE_RATE_HZ ||
    rate > AUDIO_MAX_SAMPLE_RATE_HZ
  ) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `audio frame.sampleRate must be an integer in ${AUDIO_MIN_SAMPLE_RATE_HZ}..${AUDIO_MAX_SAMPLE_RATE_HZ} Hz, got ${String(rate)}`,
    );
  }
  const channels = f.channels;
  if (typeof channels !== "number" || !Number.isInteger(channels) || channels < 1 || channels > AUDIO_MAX_CHANNELS) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `audio frame.channels must be an integer in 1..${AUDIO_MAX_CHANNELS}, got ${String(channels)}`,
    );
  }
  if (f.data.length % channels !== 0) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `audio frame.data holds ${f.data.length} samples, not a whole number of ${channels}-channel frames`,
    );
  }
  return { data: f.data, sampleRate: rate, channels };
}

/** See the file comment. */
export class AudioEncoder {
  private readonly thread: WorkerHost<EncoderWorkerApi>;
  private readonly ready: Promise<void>;
  private readonly logger: Logger;
  private readonly listeners: Listeners<EncodedAudioPacket>;
  private readonly errorListeners: Listeners<ReactorError>;
  private queue: AudioInput[] = [];
  private queuedMs = 0;
  private busy = false;
  private closed = false;
  private failure: ReactorError | undefined;
  private pts = 0;
  private encodeMs = 0;
  private readonly counters = {
    pushed: 0,
    samplesPushed: 0,
    packets: 0,
    dropped: { overflow: 0, error: 0, closed: 0 },
  };

  /** @internal use {@link createAudioEncoder}. */
  constructor(options: AudioEncoderOptions) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.listeners = new Listeners(this.logger, "packet");
    this.errorListeners = new Listeners(this.logger, "error");
    this.thread = encoderThread(this.logger, (error) => this.fail(error));
    this.ready = this.thread.call((api) =>
      api.init({ kind: "audio", channels: options.channels ?? 1, bitrate: options.bitrate ?? DEFAULT_OPUS_BITRATE }),
    );
    this.ready.catch((error: unknown) => this.fail(error as ReactorError));
  }

  /** Resolves once Opus is open in the worker. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Queues PCM (validated; INVALID_ARGUMENT and nothing queued when malformed). The samples are copied. */
  push(frame: AudioInput): void {
    const input = validateAudioInput(frame);
    if (this.failure) throw this.failure;
    if (this.closed) throw reactorError("ABORTED", "The encoder is closed");
    this.counters.pushed++;
    const frames = input.data.length / input.channels;
    this.counters.samplesPushed += frames;
    const ms = (frames * 1000) / input.sampleRate;
    this.queue.push({ ...input, data: input.data.slice() });
    this.queuedMs += ms;
    while (this.queuedMs > AUDIO_QUEUE_MAX_MS && this.queue.length > 1) {
      const dropped = this.queue.shift()!;
      this.queuedMs -= (dropped.data.length / dropped.channels / dropped.sampleRate) * 1000;
      this.counters.dropped.overflow++;
    }
    this.pump();
  }

  /** Calls `listener` with every Opus packet, in order. Returns unsubscribe. */
  onPacket(listener: (packet: EncodedAudioPacket) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Calls `listener` on encoding failures. Returns unsubscribe. */
  onError(listener: (error: ReactorError) => void): () => void {
    return this.errorListeners.add(listener);
  }

  /** A snapshot of the counters. */
  stats(): AudioEncoderStats {
    return {
      ...this.counters,
      dropped: { ...this.counters.dropped },
      encodeMs: this.encodeMs / Math.max(1, this.counters.packets),
    };
  }

  /** Thread id of the encoder worker. */
  get threadId(): number {
    return this.thread.threadId;
  }

  /** Stops the worker (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.counters.dropped.closed += this.queue.length;
    this.queue = [];
    this.listeners.clear();
    await this.thread.close((api) => api.release());
    this.errorListeners.clear();
  }

  private pump(): void {
    if (this.busy || this.closed || this.failure) return;
    const next = this.queue.shift();
    if (!next) return;
    this.queuedMs = Math.max(0, this.queuedMs - (next.data.length / next.channels / next.sampleRate) * 1000);
    this.busy = true;
    void this.encode(next);
  }

  private async encode(input: AudioInput): Promise<void> {
    try {
      await this.ready;
      const out = await this.thread.call((api) => api.encodeAudio(transferred(input, [input.data.buffer])));
      if (this.closed) return;
      this.encodeMs += out.encodeMs;
      for (const data of out.packets) {
        this.counters.packets++;
        const packet = { data, pts48k: this.pts };
        this.pts += OPUS_FRAME_SAMPLES;
        this.listeners.emit(packet);
      }
    } catch (error) {
      if (this.closed) return;
      const typed = error as ReactorError;
      this.counters.dropped.error++;
      if (typed.code === "WORKER_CRASHED" || typed.code === "ABORTED") this.fail(typed);
      else this.errorListeners.emit(typed);
    } finally {
      this.busy = false;
      this.pump();
    }
  }

  private fail(error: ReactorError): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    this.counters.dropped.error += this.queue.length;
    this.queue = [];
    this.errorListeners.emit(error);
  }
}

/** Starts an Opus encoder (worker thread) for one published audio track. */
export function createAudioEncoder(options: AudioEncoderOptions = {}): AudioEncoder {
  return new AudioEncoder(options);
}
