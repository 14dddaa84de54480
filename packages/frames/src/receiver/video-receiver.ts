import type { ReactorError } from "@reactor-node/protocol";
import type { RtpPacket } from "werift/nonstandard";
import type { VideoFrame } from "../frame.js";
import type { EncodedVideoFrame } from "../rtp/encoded-frame.js";
import type { KeyframeReason } from "./keyframe-gate.js";
import type { FrameStreamOptions } from "./options.js";
import type { VideoReceiverStats } from "./stats.js";

export type { FrameStreamOptions, VideoReceiverOptions } from "./options.js";

/** Decodes one VP8 video stream to frames off the main thread. See `createVideoReceiver`. */
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
