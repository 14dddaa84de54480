import type { FrameFormat } from "@reactor-node/protocol";

export type { FrameFormat, FrameMetadata, RgbFrame, VideoFrame } from "@reactor-node/protocol";

/** The pixel formats a receiver can deliver. */
export const FRAME_FORMATS: readonly FrameFormat[] = ["rgb24", "rgba", "i420"];

/** Bytes of a tightly packed frame of the given format. */
export function frameByteLength(format: FrameFormat, width: number, height: number): number {
  if (format === "rgb24") return width * height * 3;
  if (format === "rgba") return width * height * 4;
  const chroma = ((width + 1) >> 1) * ((height + 1) >> 1);
  return width * height + 2 * chroma;
}
