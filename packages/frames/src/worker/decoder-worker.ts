// Worker entry: one per video stream (VP8 decoding is stateful), exposing a Vp8Decoder through
// comlink (see comlink-host.ts for the pattern).

import { exposeWorkerApi } from "./comlink-expose.js";
import { Vp8Decoder } from "./vp8-decoder.js";

exposeWorkerApi(new Vp8Decoder(), "FRAME_DECODE_ERROR");
