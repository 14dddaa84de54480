/**
 * True when the VP8 frame is a keyframe: bit 0 of the first byte of the frame tag is the inverse
 * keyframe flag (RFC 6386 §9.1). Empty input is not a keyframe.
 */
export function isVp8Keyframe(frame: Uint8Array): boolean {
  return frame.length > 0 && (frame[0]! & 0x01) === 0;
}

/** Width and height coded in a VP8 keyframe header (RFC 6386 §9.1), or undefined for delta frames. */
export function vp8KeyframeSize(frame: Uint8Array): { width: number; height: number } | undefined {
  if (!isVp8Keyframe(frame) || frame.length < 10) return undefined;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return undefined;
  return { width: (frame[6]! | (frame[7]! << 8)) & 0x3fff, height: (frame[8]! | (frame[9]! << 8)) & 0x3fff };
}
