/**
 * The per-frame metadata trailer (docs/protocol.md §6), present only when the offer carried
 * `a=x-reactor-frame-metadata:1` and the answer echoed it:
 * `[codec payload][protobuf FrameMetadata][u32 LE length of the protobuf]["RXMT"]`, with
 * `FrameMetadata{1 frame_id uint64; 2 capture_time_us uint64 (0 = unset); 3 user_data bytes}`.
 * One copy for every side: the receiver strips it, publishers and the testkit append it.
 */
import type { FrameMetadata } from "../api.js";
import { FRAME_METADATA_MAGIC } from "../constants.js";
import { reactorError } from "../errors.js";

const MAGIC = [...FRAME_METADATA_MAGIC].map((c) => c.charCodeAt(0));
/** The trailer's fixed tail: u32 length + magic. */
export const FRAME_METADATA_TRAILER_FIXED_BYTES = 8;
/** Largest `userData` a trailer carries (our choice: a trailer is per frame, keep it small). */
export const FRAME_METADATA_MAX_USER_DATA_BYTES = 64 * 1024;

function varintLength(value: bigint): number {
  let n = 1;
  for (let v = value >> 7n; v > 0n; v >>= 7n) n++;
  return n;
}

function writeVarint(out: Uint8Array, at: number, value: bigint): number {
  let v = value;
  while (v >= 0x80n) {
    out[at++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[at++] = Number(v);
  return at;
}

const U64_MAX = (1n << 64n) - 1n;

function checkU64(name: string, value: bigint): void {
  if (typeof value !== "bigint" || value < 0n || value > U64_MAX) {
    throw reactorError("INVALID_ARGUMENT", `frame metadata ${name} must be a uint64 bigint, got ${String(value)}`);
  }
}

/** Encodes the protobuf `FrameMetadata` (fields with default values are omitted, as proto3 does). */
export function encodeFrameMetadata(metadata: FrameMetadata): Uint8Array {
  checkU64("frameId", metadata.frameId);
  const capture = metadata.captureTimeUs ?? 0n;
  checkU64("captureTimeUs", capture);
  const user = metadata.userData;
  if (user !== undefined && !(user instanceof Uint8Array)) {
    throw reactorError("INVALID_ARGUMENT", "frame metadata userData must be a Uint8Array");
  }
  if (user && user.length > FRAME_METADATA_MAX_USER_DATA_BYTES) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `frame metadata userData is ${user.length} bytes; at most ${FRAME_METADATA_MAX_USER_DATA_BYTES} are allowed`,
    );
  }
  let size = 0;
  if (metadata.frameId !== 0n) size += 1 + varintLength(metadata.frameId);
  if (capture !== 0n) size += 1 + varintLength(capture);
  if (user && user.length > 0) size += 1 + varintLength(BigInt(user.length)) + user.length;
  const out = new Uint8Array(size);
  let at = 0;
  if (metadata.frameId !== 0n) {
    out[at++] = 0x08;
    at = writeVarint(out, at, metadata.frameId);
  }
  if (capture !== 0n) {
    out[at++] = 0x10;
    at = writeVarint(out, at, capture);
  }
  if (user && user.length > 0) {
    out[at++] = 0x1a;
    at = writeVarint(out, at, BigInt(user.length));
    out.set(user, at);
  }
  return out;
}

/** `payload` followed by the metadata trailer, in one new buffer. */
export function appendFrameMetadata(payload: Uint8Array, metadata: FrameMetadata): Uint8Array {
  const message = encodeFrameMetadata(metadata);
  const out = new Uint8Array(payload.length + message.length + FRAME_METADATA_TRAILER_FIXED_BYTES);
  out.set(payload, 0);
  out.set(message, payload.length);
  const tail = payload.length + message.length;
  new DataView(out.buffer).setUint32(tail, message.length, true);
  out.set(MAGIC, tail + 4);
  return out;
}

/**
 * Splits an encoded frame into the codec payload and its trailer. Returns the input untouched
 * (no metadata) when it has no well-formed trailer. Call it only on sessions that negotiated
 * the attribute: a codec payload may end in the magic by chance.
 */
export function stripFrameMetadata(frame: Uint8Array): { payload: Uint8Array; metadata?: FrameMetadata } {
  const n = frame.length;
  if (n < FRAME_METADATA_TRAILER_FIXED_BYTES || MAGIC.some((b, i) => frame[n - 4 + i] !== b)) {
    return { payload: frame };
  }
  const length = (frame[n - 8]! | (frame[n - 7]! << 8) | (frame[n - 6]! << 16) | (frame[n - 5]! << 24)) >>> 0;
  const start = n - FRAME_METADATA_TRAILER_FIXED_BYTES - length;
  if (start < 0) return { payload: frame };
  const metadata = decodeFrameMetadata(frame.subarray(start, n - FRAME_METADATA_TRAILER_FIXED_BYTES));
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
      if ((b & 0x80) === 0) return value & U64_MAX;
    }
    return undefined;
  };
  while (at < bytes.length) {
    const key = varint();
    if (key === undefined) return undefined;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) return undefined;
    if (wire === 0) {
      const value = varint();
      if (value === undefined) return undefined;
      if (field === 1) out.frameId = value;
      else if (field === 2 && value !== 0n) out.captureTimeUs = value;
    } else if (wire === 2) {
      const length = varint();
      if (length === undefined || length > BigInt(bytes.length - at)) return undefined;
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
