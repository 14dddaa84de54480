/**
 * One interface over both data-channel encodings (docs/protocol.md §5, §9). The client and the
 * testkit talk in {@link ClientMessage}s and {@link ServerMessage}s; the codec decides which
 * channel each rides and what the bytes are. Encoders throw ReactorErrors (INVALID_ARGUMENT,
 * MESSAGE_TOO_LARGE); decoders never throw and return a typed DECODE_ERROR instead.
 */
import type { ChannelLabel, DecodeResult, EncodeOptions } from "../v0/codec.js";
import type { ClientMessage, Correlation, RequestKind, ServerMessage, WireFrame, WireName } from "./messages.js";

/** A data-channel codec: v0 (JSON text) or v1 (protobuf binary). */
export interface WireCodec {
  readonly name: WireName;
  /** How answers to requests of `kind` are matched on this wire (v0: clips in order, commands never). */
  correlation(kind: RequestKind): Correlation;
  /** The request kind an uncorrelated server message answers, for kinds matched in order (v0 clips). */
  fifoAnswer(message: ServerMessage): RequestKind | undefined;
  /** Encodes what a client sends (a command, a runtime message, a control request or notification). */
  encodeClient(message: ClientMessage, options?: EncodeOptions): WireFrame;
  /**
   * Encodes what a server sends, or returns `undefined` when this wire never sends it (v0 does
   * not answer commands: acknowledgements and command errors exist only on v1).
   */
  encodeServer(message: ServerMessage, options?: EncodeOptions): WireFrame | undefined;
  /** Decodes a frame a client sent on `channel`. */
  decodeClient(channel: ChannelLabel, frame: unknown): DecodeResult<ClientMessage>;
  /** Decodes a frame a server sent on `channel`. */
  decodeServer(channel: ChannelLabel, frame: unknown): DecodeResult<ServerMessage>;
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * The wire a frame is in, by the GPU peer's latching rule (docs/protocol.md §9): text, or bytes
 * starting with `{` or `[`, is v0; any other binary frame is v1. (No v1 envelope can start with
 * those bytes: they would open field 15 or 11 as a proto2 group.)
 */
export function detectWire(frame: unknown): WireName {
  if (typeof frame === "string") return "v0";
  let first: number | undefined;
  if (frame instanceof Uint8Array) first = frame[0];
  else if (frame instanceof ArrayBuffer) first = new Uint8Array(frame, 0, Math.min(1, frame.byteLength))[0];
  else if (ArrayBuffer.isView(frame) && frame.byteLength > 0)
    first = new Uint8Array(frame.buffer, frame.byteOffset, 1)[0];
  return first === OPEN_BRACE || first === OPEN_BRACKET ? "v0" : "v1";
}
