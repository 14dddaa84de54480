/** One frame for the conversion pool: packed I420 in, RGB out into `out` (both transferred). */
export interface ConvertTask {
  i420: ArrayBuffer;
  /** Exactly `frameByteLength(format, width, height)` bytes. */
  out: ArrayBuffer;
  width: number;
  height: number;
  format: "rgb24" | "rgba";
}

/** The pool's answer: both buffers handed back (transferred), and the thread's conversion time. */
export interface ConvertTaskResult {
  out: ArrayBuffer;
  i420: ArrayBuffer;
  convertMs: number;
}
