/** The codec of each wire. */
import { V0_CODEC } from "../v0/wire-codec.js";
import { V1_CODEC } from "../v1/codec.js";
import type { WireCodec } from "./codec.js";
import type { WireName } from "./messages.js";

const CODECS: Readonly<Record<WireName, WireCodec>> = { v0: V0_CODEC, v1: V1_CODEC };

/** The codec of `wire`. */
export function wireCodec(wire: WireName): WireCodec {
  return CODECS[wire];
}

export { V0_CODEC, V1_CODEC };
