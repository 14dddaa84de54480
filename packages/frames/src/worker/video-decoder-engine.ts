import type { I420Planes } from "../kernel/i420.js";

/**
 * A stateful VP8 decoder living inside the decoder worker. `decode` returns the picture as plane
 * views that stay valid only until the next call, or undefined when no picture came out.
 * Throws on corrupt input.
 */
export interface VideoDecoderEngine {
  decode(frame: Uint8Array): I420Planes | undefined;
  /** Memory the engine holds that this thread can measure, bytes (0 when it cannot tell). */
  readonly memoryBytes: number;
  close(): void;
}
