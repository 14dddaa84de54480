/**
 * VP8 RTP payloads per RFC 7741 §4.2: every packet starts with a payload descriptor carrying a
 * 15-bit PictureID (X=1, I=1, M=1), S=1 and PID=0 on the first packet of a frame. Browsers and
 * the runtime use the PictureID to detect lost frames. A frame is split into near-equal parts
 * so no packet is a tiny tail.
 */

/** Descriptor bytes: `X|R|N|S|R|PID`, `I|L|T|K|RSV`, `M|PictureID(7)`, `PictureID(8)`. */
const VP8_DESCRIPTOR_BYTES = 4;
const X_BIT = 0x80;
const S_BIT = 0x10;
const I_BIT = 0x80;
const M_BIT = 0x80;

/** Splits one VP8 frame into RTP payloads of at most `maxPayloadBytes` (descriptor included). */
export function packetizeVp8(frame: Uint8Array, pictureId: number, maxPayloadBytes: number): Uint8Array[] {
  const room = maxPayloadBytes - VP8_DESCRIPTOR_BYTES;
  if (room <= 0) throw new RangeError(`maxPayloadBytes ${maxPayloadBytes} leaves no room after the descriptor`);
  const count = Math.max(1, Math.ceil(frame.length / room));
  const part = Math.ceil(frame.length / count);
  const id = pictureId & 0x7fff;
  const payloads: Uint8Array[] = [];
  for (let i = 0, at = 0; i < count; i++, at += part) {
    const chunk = frame.subarray(at, Math.min(frame.length, at + part));
    const out = new Uint8Array(VP8_DESCRIPTOR_BYTES + chunk.length);
    out[0] = X_BIT | (i === 0 ? S_BIT : 0);
    out[1] = I_BIT;
    out[2] = M_BIT | (id >> 8);
    out[3] = id & 0xff;
    out.set(chunk, VP8_DESCRIPTOR_BYTES);
    payloads.push(out);
  }
  return payloads;
}
