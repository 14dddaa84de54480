/**
 * Length of the VP8 payload descriptor at the start of an RTP payload (RFC 7741 §4.2), or -1 when
 * the payload is too short to hold the descriptor it announces.
 */
export function vp8DescriptorLength(payload: Uint8Array): number {
  if (payload.length === 0) return -1;
  let length = 1;
  if (payload[0]! & 0x80) {
    // X: an extension byte I L T K follows; then PictureID (1 or 2 bytes, M bit), TL0PICIDX (L), TID|Y|KEYIDX (T or K).
    if (payload.length < 2) return -1;
    const ext = payload[1]!;
    length = 2;
    if (ext & 0x80) length += payload.length > 2 && payload[2]! & 0x80 ? 2 : 1;
    if (ext & 0x40) length++;
    if (ext & 0x30) length++;
  }
  return length <= payload.length ? length : -1;
}

/**
 * Reassembles VP8 frames from in-order RTP payloads: a packet with S=1 and PID=0 starts a frame,
 * the marker bit ends it. Payload bytes are referenced (not copied) until the frame is complete,
 * then copied once into an exact-size buffer the caller owns (it may be transferred).
 */
export class Vp8Depacketizer {
  private parts: Uint8Array[] = [];
  private size = 0;
  private inFrame = false;

  /** Drops the frame in progress (one of its packets was lost); waits for the next frame start. */
  reset(): void {
    this.parts = [];
    this.size = 0;
    this.inFrame = false;
  }

  /**
   * Feeds the next packet's payload. Returns the frame when `marker` completes one, undefined
   * otherwise (including for the rest of a frame whose start was lost). Returns false for a
   * malformed payload, after dropping the frame in progress.
   */
  push(payload: Uint8Array, marker: boolean): Uint8Array | undefined | false {
    const length = vp8DescriptorLength(payload);
    if (length < 0) {
      this.reset();
      return false;
    }
    if ((payload[0]! & 0x17) === 0x10) {
      // S=1, PID=0: a new frame (a frame left without its marker packet is abandoned).
      this.parts = [];
      this.size = 0;
      this.inFrame = true;
    } else if (!this.inFrame) {
      return undefined;
    }
    if (length < payload.length) {
      this.parts.push(payload.subarray(length));
      this.size += payload.length - length;
    }
    if (!marker) return undefined;
    const { parts, size } = this;
    this.reset();
    if (size === 0) return undefined;
    const frame = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) {
      frame.set(part, offset);
      offset += part.length;
    }
    return frame;
  }
}
