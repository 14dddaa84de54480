/**
 * The seam between a track and video decoding: one {@link FrameSource} per received video
 * track per connection, created only when someone subscribes to frames (so sessions that never
 * read frames start no worker). The default implementation is `@reactor-node/frames`
 * (RTP reassembly on this thread, VP8 decoding and RGB conversion in a worker thread); tests or
 * other decoders can supply their own factory without the track API changing.
 */
import { createVideoReceiver, type VideoFrame, type VideoReceiverStats } from "@reactor-node/frames";
import type { ReactorError, RgbFrame } from "@reactor-node/protocol";
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

/** Decoder counters of one connection's frame source. */
export type FrameSourceStats = VideoReceiverStats;

/** Decodes one received video track of one connection into RGB frames. */
export interface FrameSource {
  pushRtp(packet: RtpPacket): void;
  /** Hot-path delivery (receiver's `latest` policy). Returns unsubscribe. */
  onFrame(callback: (frame: RgbFrame) => void): () => void;
  /** A bounded iterator; ends when the source closes. */
  frames(options: FrameIteratorOptions): AsyncIterableIterator<RgbFrame>;
  /** The decoder needs a keyframe: the owner sends an RTCP PLI. Returns unsubscribe. */
  onKeyframeNeeded(callback: () => void): () => void;
  onError(callback: (error: ReactorError) => void): () => void;
  stats(): FrameSourceStats;
  /** Ends iterators and stops the worker (idempotent). */
  close(): Promise<void>;
}

/** Creates a frame source; called lazily by a track. */
export type FrameSourceFactory = (options: { logger: Logger; trackName: string }) => FrameSource;

// Receivers created with `format: "rgb24"` deliver only RGB frames.
const asRgb = (frame: VideoFrame): RgbFrame => frame as RgbFrame;

/** The default factory: `@reactor-node/frames`' worker-thread VP8 decoder, RGB output. */
export const createDecodedFrameSource: FrameSourceFactory = ({ logger }) => {
  const receiver = createVideoReceiver({ format: "rgb24", policy: "latest", logger });
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
