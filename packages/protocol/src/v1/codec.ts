/**
 * The v1 (protobuf binary) data-channel codec (docs/protocol.md §9): every request is answered
 * and matched by its id (`data_<n>` for commands, `ctrl_<n>` for control requests).
 */
import type { WireCodec } from "../wire/codec.js";
import { decodeClientV1, decodeServerV1 } from "./decode.js";
import { encodeClientV1, encodeServerV1 } from "./encode.js";

/** The v1 wire. */
export const V1_CODEC: WireCodec = Object.freeze({
  name: "v1",
  correlation: () => "id",
  fifoAnswer: () => undefined,
  encodeClient: encodeClientV1,
  encodeServer: encodeServerV1,
  decodeClient: decodeClientV1,
  decodeServer: decodeServerV1,
});
