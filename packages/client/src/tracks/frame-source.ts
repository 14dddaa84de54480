/**
 * The seam between a track and video decoding: one {@link FrameSource} per received video
 * track per connection, created only when someone subscribes to frames (so sessions that never
 * read frames start no worker). Two implementations, both `@reactor-node/frames`: video (RTP
 * reassembly on this thread, VP8 decoding and RGB conversion in worker threads) and audio (Opus
 * decoding in a worker, PCM out).
 */
import {
  type AudioReceiverStats,
  createAudioReceiver,
  createVideoReceiver,
  type VideoFrame,
  type VideoReceiverStats,
} from "@reactor-node/frames";
import type { AudioFrame, ReactorError, RgbFrame } from "@reactor-node/protocol";
import type { RtpPacket } from "werift";
import type { Logger } from "../logger.js";

/** Backpressure of a frame consumer: `latest` (default) keeps the newest, `queue` keeps N, `block` keeps all. */
export type FramePolicy = "latest" | "queue" | "block";

/** Options of a frame iterator. */
export interface FrameIteratorOptions {
  policy?: FramePolicy;
  /** Bound for `queue`/`block` (default 8). */
  queueSize?: number;
  /** Aborting ends the iterator cleanly. */
  signal?: AbortSignal;
}

/** Decoder counters of one connection's frame source (video or audio). */
export type FrameSourceStats = VideoReceiverStats | AudioReceiverStats;

/** Decodes one received track of one connection: video into RGB frames, audio into PCM. */
export interface FrameSource<F = RgbFrame> {
  pushRtp(packet: RtpPacket): void;
  /** Hot-path delivery (receiver's `latest` policy). Returns unsubscribe. */
  onFrame(callback: (frame: F) => void): () => void;
  /** A bounded iterator; ends when the source closes. */
  frames(options: FrameIteratorOptions): AsyncIterableIterator<F>;
  /** The decoder needs a keyframe: the owner sends an RTCP PLI. Returns unsubscribe. */
  onKeyframeNeeded(callback: () => void): () => void;
  onError(callback: (error: ReactorError) => void): () => void;
  /** Hands a delivered frame's memory back to the decoder for reuse. */
  release(frame: F): void;
  stats(): FrameSourceStats;
  /** Ends iterators and stops the worker (idempotent). */
  close(): Promise<void>;
}

/** What received audio is turned into. */
export interface AudioOutputOptions {
  /** Output sample rate in Hz (resampled from 48 kHz). Default 48 000. */
  sampleRate?: number;
  /** 1 (default) or 2. */
  channels?: 1 | 2;
}

/**
 * The source of one received video track: `@reactor-node/frames`' worker-thread VP8 decoder,
 * RGB output. With `frameMetadata` (negotiated) trailers are stripped before decoding and
 * surface as `frame.metadata`.
 */
export function openVideoSource(options: { logger: Logger; frameMetadata: boolean }): FrameSource<RgbFrame> {
  const receiver = createVideoReceiver({
    format: "rgb24",
    policy: "latest",
    logger: options.logger,
    frameMetadata: options.frameMetadata,
  });
  return {
    pushRtp: (packet) => receiver.pushRtp(packet),
    onFrame: (callback) => receiver.onFrame((frame) => callback(asRgb(frame))),
    frames: (iteration) => receiver.frames(iteratorPolicy(iteration)) as AsyncIterableIterator<RgbFrame>,
    onKeyframeNeeded: (callback) => receiver.onKeyframeNeeded(() => callback()),
    onError: (callback) => receiver.onError(callback),
    release: (frame) => receiver.release(frame),
    stats: () => receiver.stats(),
    close: () => receiver.close(),
  };
}

/** The source of one received audio track: `@reactor-node/frames`' worker-thread Opus decoder, PCM output. */
export function openAudioSource(options: { logger: Logger; output: AudioOutputOptions }): FrameSource<AudioFrame> {
  const receiver = createAudioReceiver({
    logger: options.logger,
    ...(options.output.sampleRate !== undefined && { sampleRate: options.output.sampleRate }),
    ...(options.output.channels !== undefined && { channels: options.output.channels }),
  });
  return {
    pushRtp: (packet) => receiver.pushRtp(packet),
    onFrame: (callback) => receiver.onFrame(callback),
    frames: (iteration) => receiver.frames(iteratorPolicy(iteration)),
    // Audio has no keyframes.
    onKeyframeNeeded: () => () => {},
    onError: (callback) => receiver.onError(callback),
    // PCM frames are small and never pooled.
    release: () => {},
    stats: () => receiver.stats(),
    close: () => receiver.close(),
  };
}

// A receiver created with `format: "rgb24"` delivers only RGB frames (its iterator too).
function asRgb(frame: VideoFrame): RgbFrame {
  return frame as RgbFrame;
}

function iteratorPolicy(options: FrameIteratorOptions): { policy?: FramePolicy; queueSize?: number } {
  return {
    ...(options.policy !== undefined && { policy: options.policy }),
    ...(options.queueSize !== undefined && { queueSize: options.queueSize }),
  };
}
