/** The seed SDK's public types, TypeScript-shaped (PROTOCOL.md §7). */
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
export type FrameFormat = "rgb" | "rgba" | "i420";

/** A decoded video frame. */
export interface VideoFrame<F extends FrameFormat = FrameFormat> {
  format: F;
  /**
   * Pixels, row-major without padding: `height*width*3` bytes for `rgb`, `*4` for `rgba`;
   * for `i420` the Y plane then U then V (chroma planes `ceil(w/2) × ceil(h/2)`).
   */
  data: Uint8Array;
  width: number;
  height: number;
  /** Presentation time from the RTP timestamp (90 kHz clock), in milliseconds. */
  timestamp: number;
  /** When the frame's last RTP packet arrived, in ms since the Unix epoch. */
  receivedAt: number;
  /** Sequential number of this frame on its track, starting at 0 (gaps mean dropped frames). */
  frameNumber: number;
}

/** The seed's frame: `height × width × 3` RGB bytes. */
export type RgbFrame = VideoFrame<"rgb">;

/** Receives each decoded RGB frame (the seed's `FrameCallback`). */
export type FrameCallback = (frame: RgbFrame) => void;

/** A message delivered by the `message` / `runtime_message` events: the inner `{type, data}`. */
export interface ReactorMessage<T = unknown> {
  type: string;
  data: T;
}
