import type { FrameFormat } from "../frame.js";

/** Settings the decoder worker is started with. */
export interface DecoderWorkerInit {
  format: FrameFormat;
  backend: "wasm" | "native";
}

/** One encoded frame sent to the worker (its buffer is transferred). */
export interface WorkerEncodedFrame {
  id: number;
  data: Uint8Array;
  keyframe: boolean;
}

/** A batch of encoded frames to decode in order. */
export interface DecodeRequest {
  frames: WorkerEncodedFrame[];
  /** Convert (and return pixels for) only the last N successfully decoded frames of the batch. */
  convertLast: number;
  /** Output buffers the main thread no longer needs, handed back for reuse. */
  recycled: ArrayBuffer[];
}

/** What happened to one frame of a batch. */
export type WorkerFrameResult =
  /** Decoded; `data` present only when it was converted. */
  | { id: number; status: "decoded"; width: number; height: number; data?: Uint8Array }
  /** The decoder accepted the frame but produced no picture (e.g. a hidden frame). */
  | { id: number; status: "noPicture" }
  | { id: number; status: "error"; message: string }
  /** Not decoded: follows a decode error in the same batch and is not a keyframe. */
  | { id: number; status: "skipped" };

/** The worker's answer to a {@link DecodeRequest}. */
export interface DecodeResponse {
  results: WorkerFrameResult[];
  /** Worker-side time spent decoding and converting, ms. */
  decodeMs: number;
  convertMs: number;
  /** Memory the worker holds for this stream after the batch (see `VideoReceiverStats.decoderMemoryBytes`). */
  memoryBytes: number;
}

/**
 * Main thread → decoder worker, over the worker's own port. No RPC library: comlink's per-call
 * bookkeeping (a fresh listener and string id per call) made a round trip cost about 0.016 ms of
 * main-thread CPU against 0.011 ms for this. `id` pairs a request with its {@link WorkerReply};
 * the encoded frames' and recycled buffers are transferred.
 */
export type WorkerRequest =
  | { type: "init"; id: number; settings: DecoderWorkerInit }
  | ({ type: "decode"; id: number } & DecodeRequest)
  /** Fault injection: the thread exits abruptly with code 1, as a crash would. No reply. */
  | { type: "crash" }
  /** Exit once idle. Decoding is synchronous, so the worker handles this between frames. */
  | { type: "close" };

/** Decoder worker → main thread: the outcome of request `id` (pixel buffers transferred). */
export type WorkerReply =
  | { id: number; ok: true; response?: DecodeResponse }
  | { id: number; ok: false; error: { name: string; message: string } };
