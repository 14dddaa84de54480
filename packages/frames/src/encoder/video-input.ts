import { reactorError } from "@reactor-node/protocol";
import { FRAME_FORMATS, type FrameFormat, frameByteLength } from "../frame.js";

/** What `pushFrame` accepts: the shape of a received `VideoFrame` (extra fields are ignored). */
export interface VideoInput {
  data: Uint8Array;
  width: number;
  height: number;
  format: FrameFormat;
  /** Presentation time in ms (any origin, increasing); the wall clock is used when absent. */
  timestamp?: number;
}

/** Largest picture side the encoder accepts (VP8 codes 14 bits per dimension). */
export const MAX_VIDEO_DIMENSION = 16_383;

/**
 * Checks a pushed picture before anything leaves the main thread: a known format, positive
 * integer sizes within VP8's range, and a buffer of exactly the format's size. Throws
 * INVALID_ARGUMENT naming what is wrong.
 */
export function validateVideoInput(frame: unknown): VideoInput {
  const format = checkVideoInput(frame);
  const f = frame as VideoInput;
  return {
    data: f.data,
    width: f.width,
    height: f.height,
    format,
    ...(f.timestamp !== undefined && { timestamp: f.timestamp }),
  };
}

/**
 * {@link validateVideoInput} without building the checked copy: returns the format (`rgb24` when
 * absent), after which `frame` is a valid {@link VideoInput}. The encoder's push path, which
 * reads the fields itself (one object fewer per picture).
 */
export function checkVideoInput(frame: unknown): FrameFormat {
  if (typeof frame !== "object" || frame === null) {
    throw reactorError("INVALID_ARGUMENT", "pushFrame() needs a frame object {data, width, height, format}");
  }
  const f = frame as Partial<VideoInput>;
  if (!(f.data instanceof Uint8Array)) {
    throw reactorError("INVALID_ARGUMENT", "frame.data must be a Uint8Array (or Buffer)");
  }
  const format = f.format ?? "rgb24";
  const expected = videoByteLength(f.width, f.height, format, "frame.");
  if (f.data.byteLength !== expected) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `frame.data holds ${f.data.byteLength} bytes; a ${f.width}x${f.height} ${format} frame is ${expected} bytes`,
    );
  }
  if (f.timestamp !== undefined && !Number.isFinite(f.timestamp)) {
    throw reactorError("INVALID_ARGUMENT", `frame.timestamp must be a finite number of ms, got ${String(f.timestamp)}`);
  }
  return format;
}

/**
 * Bytes of a `width`×`height` picture in `format`, after checking the format is known and the
 * sizes are integers in VP8's range (INVALID_ARGUMENT naming `prefix + side` otherwise).
 */
export function videoByteLength(width: unknown, height: unknown, format: unknown, prefix = ""): number {
  if (!FRAME_FORMATS.includes(format as FrameFormat)) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `${prefix}format must be one of ${FRAME_FORMATS.join(", ")}, got '${String(format)}'`,
    );
  }
  checkSide(prefix, "width", width);
  checkSide(prefix, "height", height);
  return frameByteLength(format as FrameFormat, width as number, height as number);
}

function checkSide(prefix: string, side: "width" | "height", v: unknown): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 2 || v > MAX_VIDEO_DIMENSION) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `${prefix}${side} must be an integer in 2..${MAX_VIDEO_DIMENSION}, got ${String(v)}`,
    );
  }
}

/** True when `data` covers its whole buffer, a plain (not shared) ArrayBuffer: it can be transferred as is. */
export function coversWholeBuffer(data: Uint8Array): boolean {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
}
