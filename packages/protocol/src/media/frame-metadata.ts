/**
 * The per-frame metadata trailer (docs/protocol.md §6), present only when the offer carried
 * `a=x-reactor-frame-metadata:1` and the answer echoed it:
 * `[codec payload][protobuf FrameMetadata][u32 LE length of the protobuf]["RXMT"]`, with
 * `FrameMetadata{1 frame_id uint64; 2 capture_time_us uint64 (0 = unset); 3 user_data bytes}`
 * (the generated v1 message). One copy for every side: the receiver strips it, publishers and
 * the testkit append it.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { FrameMetadata } from "../api.js";
import { FRAME_METADATA_MAGIC } from "../constants.js";
import { reactorError } from "../errors.js";
import { FrameMetadataSchema } from "../v1/proto.js";

const MAGIC = [...FRAME_METADATA_MAGIC].map((c) => c.charCodeAt(0));
/** The trailer's fixed tail: u32 length + magic. */
export const FRAME_METADATA_TRAILER_FIXED_BYTES = 8;
/** Largest `userData` a trailer carries (our choice: a trailer is per frame, keep it small). */
export const FRAME_METADATA_MAX_USER_DATA_BYTES = 64 * 1024;

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
  return toBinary(
    FrameMetadataSchema,
    create(FrameMetadataSchema, {
      frameId: metadata.frameId,
      captureTimeUs: capture,
      userData: user ?? new Uint8Array(0),
    }),
  );
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
  let message: ReturnType<typeof fromBinary<typeof FrameMetadataSchema>>;
  try {
    message = fromBinary(FrameMetadataSchema, bytes);
  } catch {
    return undefined;
  }
  return {
    frameId: message.frameId,
    ...(message.captureTimeUs !== 0n && { captureTimeUs: message.captureTimeUs }),
    ...(message.userData.length > 0 && { userData: message.userData.slice() }),
  };
}
