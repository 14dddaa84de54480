import { isVp8Keyframe } from "@reactor-node/protocol";

/** The keyframe bit is read in one place, the protocol package; re-exported for this package's API. */
export { isVp8Keyframe };

/** Width and height coded in a VP8 keyframe header (RFC 6386 §9.1), or undefined for delta frames. */
export function vp8KeyframeSize(frame: Uint8Array): { width: number; height: number } | undefined {
  if (!isVp8Keyframe(frame) || frame.length < 10) return undefined;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return undefined;
  return { width: (frame[6]! | (frame[7]! << 8)) & 0x3fff, height: (frame[8]! | (frame[9]! << 8)) & 0x3fff };
}
