/**
 * One frame for the conversion pool: packed I420 in (a view of the decoder's shared frame memory,
 * or a transferred buffer), RGB out into `out` (transferred).
 */
export interface ConvertTask {
  i420: Uint8Array;
  /** Exactly `frameByteLength(format, width, height)` bytes. */
  out: ArrayBuffer;
  width: number;
  height: number;
  format: "rgb24" | "rgba";
}

/** The pool's answer: the buffers handed back (transferred; `i420` only when it was), and the thread's conversion time. */
export interface ConvertTaskResult {
  out: ArrayBuffer;
  i420?: ArrayBuffer;
  convertMs: number;
}
