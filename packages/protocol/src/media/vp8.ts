/** The one reading of VP8's keyframe bit (docs/protocol.md §6), for receivers, the testkit and tests alike. */

/**
 * True when the VP8 frame is a keyframe: bit 0 of the first byte of the frame tag is the inverse
 * keyframe flag (RFC 6386 §9.1). Empty input is not a keyframe.
 */
export function isVp8Keyframe(frame: Uint8Array): boolean {
  return frame.length > 0 && (frame[0]! & 0x01) === 0;
}
