// Reading the testkit's test card back out of delivered frames.
import { FrameNumberUnwrapper, maxPatchError, readPattern } from "@reactor-node/testkit";
import type { VideoFrame } from "../../src/index.js";

/**
 * Per-channel tolerance for the colour patches after lossy VP8, 4:2:0 chroma and BT.601
 * limited-range conversion (the reader averages the inner half of each patch).
 */
export const PATCH_TOLERANCE = 40;

/** What one delivered frame showed. */
export interface SeenFrame {
  /** The receiver's count of decoded frames. */
  frameNumber: number;
  /** The source's frame number, unwrapped; `undefined` for the black boundary frame. */
  pattern: number | undefined;
  /** Worst colour-patch error, or `undefined` without a pattern. */
  patchError: number | undefined;
}

/**
 * Reads frames in delivery order. The first frame of a stream is the source's black boundary
 * frame, which carries no pattern; every later frame must carry one.
 */
export class PatternReader {
  private readonly unwrapper = new FrameNumberUnwrapper();

  read(frame: VideoFrame): SeenFrame {
    const reading = readPattern(frame.data, frame.width, frame.height);
    if (!reading) return { frameNumber: frame.frameNumber, pattern: undefined, patchError: undefined };
    return {
      frameNumber: frame.frameNumber,
      pattern: this.unwrapper.push(reading.frameNumber),
      patchError: maxPatchError(reading),
    };
  }
}
