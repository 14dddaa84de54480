/** Pixel layout of {@link VideoFrame.data}. */
export type FrameFormat = "rgb24" | "rgba" | "i420";

/** The pixel formats a receiver can deliver. */
export const FRAME_FORMATS: readonly FrameFormat[] = ["rgb24", "rgba", "i420"];

/** One decoded video frame, owned by the consumer once delivered. */
export interface VideoFrame {
  /**
   * The pixels, row-major without padding: `rgb24` is `height*width*3` bytes (R,G,B), `rgba` is
   * `height*width*4`, `i420` is the Y plane then U then V, chroma planes `ceil(w/2)*ceil(h/2)`.
   */
  data: Uint8Array;
  width: number;
  height: number;
  /** Presentation time in ms from the RTP 90 kHz clock (unwrapped; the origin is arbitrary). */
  timestamp: number;
  /** When the last RTP packet (or the encoded frame) of this frame arrived, ms since the Unix epoch. */
  receivedAt: number;
  /** Sequential count of decoded frames (1-based); gaps mean frames decoded but not delivered. */
  frameNumber: number;
  format: FrameFormat;
}

/** Bytes of a tightly packed frame of the given format. */
export function frameByteLength(format: FrameFormat, width: number, height: number): number {
  if (format === "rgb24") return width * height * 3;
  if (format === "rgba") return width * height * 4;
  const chroma = ((width + 1) >> 1) * ((height + 1) >> 1);
  return width * height + 2 * chroma;
}
