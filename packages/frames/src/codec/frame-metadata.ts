/**
 * The per-frame metadata trailer (docs/protocol.md §6). The codec lives in the protocol package,
 * shared with publishers and the testkit, so every side parses and writes the same bytes.
 */
export {
  appendFrameMetadata,
  decodeFrameMetadata,
  encodeFrameMetadata,
  type FrameMetadata,
  stripFrameMetadata,
} from "@reactor-node/protocol";
