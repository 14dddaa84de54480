/** The seed SDK's public types, TypeScript-shaped (docs/protocol.md §7). */
import type { ReactorError } from "./errors.js";

/** Connection status values, exactly the seed's strings. */
export const ReactorStatus = {
  DISCONNECTED: "disconnected",
  CONNECTING: "connecting",
  WAITING: "waiting",
  READY: "ready",
} as const;
/** One of `disconnected`, `connecting`, `waiting`, `ready`. */
export type ReactorStatus = (typeof ReactorStatus)[keyof typeof ReactorStatus];

/** The session's status and the last error reported, if any. */
export interface ReactorState {
  status: ReactorStatus;
  lastError?: ReactorError;
}

/** The eight event names the seed defines, in its order. */
export const REACTOR_EVENTS = [
  "status_changed",
  "session_id_changed",
  "message",
  "runtime_message",
  "track_received",
  "error",
  "session_expiration_changed",
  "capabilities_received",
] as const;
/** One of the seed's event names. */
export type ReactorEvent = (typeof REACTOR_EVENTS)[number];

/** Pixel layout of a decoded frame: packed RGB24 (the seed's), packed RGBA, or planar I420. */
export type FrameFormat = "rgb24" | "rgba" | "i420";

/**
 * The optional per-frame metadata trailer (docs/protocol.md §6), present only when the session
 * negotiated `a=x-reactor-frame-metadata:1`: protobuf `FrameMetadata{1 frame_id, 2 capture_time_us, 3 user_data}`.
 */
export interface FrameMetadata {
  frameId: bigint;
  /** Capture time in microseconds; undefined when 0 (unset). */
  captureTimeUs?: bigint;
  userData?: Uint8Array;
}

/** A decoded video frame, owned by the consumer once delivered. */
export interface VideoFrame<F extends FrameFormat = FrameFormat> {
  format: F;
  /**
   * Pixels, row-major without padding: `rgb24` is `height*width*3` bytes (R,G,B), `rgba`
   * `height*width*4`, `i420` the Y plane then U then V (chroma planes `ceil(w/2) × ceil(h/2)`).
   */
  data: Uint8Array;
  width: number;
  height: number;
  /** Presentation time from the RTP timestamp (90 kHz clock, unwrapped; arbitrary origin), in ms. */
  timestamp: number;
  /** When the frame's last RTP packet arrived, in ms since the Unix epoch. */
  receivedAt: number;
  /** Sequential count of decoded frames on this track, from 1; gaps mean frames decoded but not delivered. */
  frameNumber: number;
  /** The frame's metadata trailer, when negotiated and present. */
  metadata?: FrameMetadata;
}

/** Decoded audio: interleaved signed 16-bit PCM, owned by the consumer once delivered. */
export interface AudioFrame {
  /** `samplesPerChannel * channels` samples, channel-interleaved (L R L R … for stereo). */
  data: Int16Array;
  /** Samples per second per channel. */
  sampleRate: number;
  /** 1 (mono) or 2 (stereo). */
  channels: number;
  samplesPerChannel: number;
  /** Presentation time of the first sample from the RTP timestamp (48 kHz clock, unwrapped; arbitrary origin), in ms. */
  timestamp: number;
  /** When the packet arrived (ms since the Unix epoch); for concealment frames, when it was synthesised. */
  receivedAt: number;
  /** True when the samples were synthesised to conceal lost packets. */
  concealed?: boolean;
}

/** The seed's frame: `height × width × 3` RGB bytes. */
export type RgbFrame = VideoFrame<"rgb24">;

/** Receives each decoded RGB frame (the seed's `FrameCallback`). */
export type FrameCallback = (frame: RgbFrame) => void;

/** A message delivered by the `message` / `runtime_message` events: the inner `{type, data}`. */
export interface ReactorMessage<T = unknown> {
  type: string;
  data: T;
}
