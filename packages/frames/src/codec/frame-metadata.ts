/**
 * The optional per-frame metadata trailer (docs/protocol.md §6), present only when the session
 * negotiated `a=x-reactor-frame-metadata:1`:
 * `[codec payload][protobuf FrameMetadata][u32 LE length of the protobuf]["RXMT"]`.
 */
import type { FrameMetadata } from "@reactor-node/protocol";

export type { FrameMetadata };

const MAGIC = [0x52, 0x58, 0x4d, 0x54]; // "RXMT"
const TRAILER_FIXED_BYTES = 8; // u32 length + magic

/**
 * Splits an encoded frame into the codec payload and its metadata trailer. Returns the input
 * untouched (no metadata) when there is no well-formed trailer.
 */
export function stripFrameMetadata(frame: Uint8Array): { payload: Uint8Array; metadata?: FrameMetadata } {
  const n = frame.length;
  if (n < TRAILER_FIXED_BYTES || MAGIC.some((b, i) => frame[n - 4 + i] !== b)) return { payload: frame };
  const length = (frame[n - 8]! | (frame[n - 7]! << 8) | (frame[n - 6]! << 16) | (frame[n - 5]! << 24)) >>> 0;
  const start = n - TRAILER_FIXED_BYTES - length;
  if (start < 0) return { payload: frame };
  const metadata = decodeFrameMetadata(frame.subarray(start, n - TRAILER_FIXED_BYTES));
  if (!metadata) return { payload: frame };
  return { payload: frame.subarray(0, start), metadata };
}

/** Decodes the protobuf message; undefined when malformed. Unknown fields are skipped. */
export function decodeFrameMetadata(bytes: Uint8Array): FrameMetadata | undefined {
  const out: FrameMetadata = { frameId: 0n };
  let at = 0;
  const varint = (): bigint | undefined => {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= bytes.length) return undefined;
      const b = bytes[at++]!;
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
    }
    return undefined;
  };
  while (at < bytes.length) {
    const key = varint();
    if (key === undefined) return undefined;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const value = varint();
      if (value === undefined) return undefined;
      if (field === 1) out.frameId = value;
      else if (field === 2 && value !== 0n) out.captureTimeUs = value;
    } else if (wire === 2) {
      const length = varint();
      if (length === undefined || at + Number(length) > bytes.length) return undefined;
      if (field === 3) out.userData = bytes.slice(at, at + Number(length));
      at += Number(length);
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
      if (at > bytes.length) return undefined;
    } else {
      return undefined;
    }
  }
  return out;
}
