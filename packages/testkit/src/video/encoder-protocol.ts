import type { Effect } from "./layout.js";

/**
 * Messages between the main thread and the encoder worker. The worker renders and encodes;
 * the main thread only paces and hands out bytes.
 */

/** Encoder geometry and rate. */
export interface EncoderParams {
  width: number;
  height: number;
  fps: number;
  /** Target bitrate, bits per second. */
  bitrate: number;
}

/** Model state as it crosses the thread boundary (overlay still encoded; the worker decodes it). */
export interface WireState {
  effect: Effect;
  intensity: number;
  caption: string;
  overlay: Uint8Array | null;
  overlayStrength: number;
}

/** Main thread → worker. */
export type EncoderRequest =
  /** Encode the black boundary frame and the whole loop (chain + keyframe variants), streamed in chunks. */
  | { type: "loop"; id: number; params: EncoderParams; state: WireState }
  /** Render and encode one live frame on the stream's own encoder context. */
  | {
      type: "live";
      id: number;
      stream: number;
      params: EncoderParams;
      frameNumber: number;
      keyframe: boolean;
      /** Sent when the state changed since the last live request of this stream (or first time). */
      state?: WireState;
    }
  /** Free a live stream's encoder context. */
  | { type: "closeLive"; stream: number };

/** Worker → main thread. */
export type EncoderResponse =
  | {
      type: "loopChunk";
      id: number;
      /** The black boundary keyframe (first chunk only). */
      black?: Uint8Array;
      /** Loop index of the first frame in this chunk. */
      start: number;
      /** Chain frames (index 0 is a keyframe, the rest predict from their predecessor). */
      delta: Uint8Array[];
      /** Keyframe variants of the same pictures; `null` at odd indices (no entry point there). */
      key: (Uint8Array | null)[];
      /** Encoder busy time for this chunk, ms. */
      encodeMs: number;
    }
  | { type: "loopDone"; id: number }
  | { type: "frame"; id: number; data: Uint8Array; keyframe: boolean; encodeMs: number }
  | { type: "error"; id: number; message: string };
