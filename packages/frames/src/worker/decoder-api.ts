import type { FrameFormat } from "../frame.js";
import type { DecodeReply } from "./decode-reply.js";
import type { FrameSlot, SlotRef } from "./frame-slots.js";

/** Settings a decoder worker is started with. */
export interface DecoderSettings {
  backend: "wasm" | "native";
  /** What the worker delivers: `i420` (packed planes, converted elsewhere) or RGB it converts itself. */
  output: FrameFormat;
}

/** One encoded frame sent to the worker (its buffer is transferred). */
export interface EncodedBatchFrame {
  id: number;
  data: Uint8Array;
  keyframe: boolean;
}

/** A batch of encoded frames to decode in order. */
export interface DecodeBatch {
  frames: EncodedBatchFrame[];
  /** Return pixels only for the last N successfully decoded frames of the batch. */
  deliverLast: number;
  /** Output buffers the main thread no longer needs, handed back for reuse (transferred). */
  recycled: ArrayBuffer[];
  /** Slots of the worker's frame memory whose frames were released. */
  released: SlotRef[];
}

/** What happened to one frame of a batch. */
export type DecodedFrame =
  /**
   * Decoded; when delivered, the pixels (in the `output` format, tightly packed) are in `slot` of
   * the worker's shared frame memory, or in `data` (a transferred buffer) when no slot was free.
   */
  | { id: number; status: "decoded"; width: number; height: number; slot?: FrameSlot; data?: Uint8Array }
  /** The decoder accepted the frame but produced no picture (e.g. a hidden frame). */
  | { id: number; status: "noPicture" }
  | { id: number; status: "error"; message: string }
  /** Not decoded: follows a decode error in the same batch and is not a keyframe. */
  | { id: number; status: "skipped" };

/** The answer to a {@link DecodeBatch} (pixel buffers transferred). */
export interface DecodeResult {
  frames: DecodedFrame[];
  /** Worker time decoding, and converting or packing the delivered frames, ms. */
  decodeMs: number;
  convertMs: number;
  /** Memory the worker holds for the stream after the batch, bytes (see `VideoReceiverStats.decoderMemoryBytes`). */
  memoryBytes: number;
  /** Frame memories the main thread has not seen (new, or grown), shared. */
  memories: { id: number; buffer: SharedArrayBuffer }[];
}

/** Counters of a decoder worker since it started. */
export interface DecoderWorkerStats {
  decoded: number;
  errors: number;
  /** Fresh engines started after a size change down. */
  renewals: number;
  memoryBytes: number;
  decodeMs: number;
  convertMs: number;
}

/**
 * The decoder worker's object, called through comlink (one worker per stream: VP8 decoding is
 * stateful). Frames and recycled buffers go in transferred; pixels come back transferred.
 */
export interface DecoderApi {
  /** Loads the backend. Rejects with the ReactorError that prevents decoding. */
  init(settings: DecoderSettings): Promise<void>;
  /**
   * Decodes a batch in order; a frame after a failed one is skipped up to the next keyframe. The
   * answer is a {@link DecodeResult} packed for the crossing (`unpackReply`).
   */
  decode(batch: DecodeBatch): Promise<DecodeReply>;
  stats(): DecoderWorkerStats;
  /** Frees the decoder (the host then asks the thread to leave). */
  close(): void;
}
