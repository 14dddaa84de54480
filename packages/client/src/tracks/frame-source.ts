/**
 * The seam between a track and video decoding: one {@link FrameSource} per received video
 * track per connection, created only when someone subscribes to frames (so sessions that never
 * read frames start no worker). The default implementation is `@reactor-node/frames`
 * (RTP reassembly on this thread, VP8 decoding and RGB conversion in a worker thread); tests or
 * other decoders can supply their own factory without the track API changing.
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
  stats(): FrameSourceStats;
  /** Ends iterators and stops the worker (idempotent). */
  close(): Promise<void>;
}

/** Creates a frame source; called lazily by a track. */
export type FrameSourceFactory = (options: {
  logger: Logger;
  trackName: string;
  /** Frames carry metadata trailers (negotiated): strip them before decoding, surface `frame.metadata`. */
  frameMetadata?: boolean;
}) => FrameSource;

/** What received audio is turned into. */
export interface AudioOutputOptions {
  /** Output sample rate in Hz (resampled from 48 kHz). Default 48 000. */
  sampleRate?: number;
  /** 1 (default) or 2. */
  channels?: 1 | 2;
}

/** Creates the PCM source of one received audio track; called lazily by a track. */
export type AudioSourceFactory = (options: {
  logger: Logger;
  trackName: string;
  output: AudioOutputOptions;
}) => FrameSource<AudioFrame>;

// Receivers created with `format: "rgb24"` deliver only RGB frames.
const asRgb = (frame: VideoFrame): RgbFrame => frame as RgbFrame;

/** The default factory: `@reactor-node/frames`' worker-thread VP8 decoder, RGB output. */
export const createDecodedFrameSource: FrameSourceFactory = ({ logger, frameMetadata }) => {
  const receiver = createVideoReceiver({
    format: "rgb24",
    policy: "latest",
    logger,
    frameMetadata: frameMetadata === true,
  });
  return {
    pushRtp: (packet) => receiver.pushRtp(packet as Parameters<typeof receiver.pushRtp>[0]),
    onFrame: (callback) => receiver.onFrame((frame) => callback(asRgb(frame))),
    frames: (options) => {
      const inner = receiver.frames({
        ...(options.policy !== undefined && { policy: options.policy }),
        ...(options.queueSize !== undefined && { queueSize: options.queueSize }),
      });
      return inner as AsyncIterableIterator<RgbFrame>;
    },
    onKeyframeNeeded: (callback) => receiver.onKeyframeNeeded(() => callback()),
    onError: (callback) => receiver.onError(callback),
    stats: () => receiver.stats(),
    close: () => receiver.close(),
  };
};

/** The default audio factory: `@reactor-node/frames`' worker-thread Opus decoder. */
export const createDecodedAudioSource: AudioSourceFactory = ({ logger, output }) => {
  const receiver = createAudioReceiver({
    logger,
    ...(output.sampleRate !== undefined && { sampleRate: output.sampleRate }),
    ...(output.channels !== undefined && { channels: output.channels }),
  });
  return {
    pushRtp: (packet) => receiver.pushRtp(packet as Parameters<typeof receiver.pushRtp>[0]),
    onFrame: (callback) => receiver.onFrame(callback),
    frames: (options) =>
      receiver.frames({
        ...(options.policy !== undefined && { policy: options.policy }),
        ...(options.queueSize !== undefined && { queueSize: options.queueSize }),
      }),
    // Audio has no keyframes.
    onKeyframeNeeded: () => () => {},
    onError: (callback) => receiver.onError(callback),
    stats: () => receiver.stats(),
    close: () => receiver.close(),
  };
};
