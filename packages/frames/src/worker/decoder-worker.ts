// Worker entry: one per video stream (VP8 decoding is stateful). Answers WorkerRequests on its
// parent port; decodes VP8 → I420 → the requested pixel format and transfers the pixels back.
import { parentPort } from "node:worker_threads";
import { reactorError } from "@reactor-node/protocol";
import { type FrameFormat, frameByteLength } from "../frame.js";
import { packI420 } from "../kernel/i420.js";
import { i420ToRgb, i420ToRgba } from "../kernel/i420-to-rgb.js";
import { createSimdI420ToRgb } from "../kernel/i420-to-rgb-simd.js";
import { BufferPool } from "./buffer-pool.js";
import { LibavVp8Engine } from "./libav-engine.js";
import type {
  DecodeRequest,
  DecodeResponse,
  DecoderWorkerInit,
  WorkerFrameResult,
  WorkerReply,
  WorkerRequest,
} from "./messages.js";
import { NativeVp8Engine } from "./native-engine.js";
import type { VideoDecoderEngine } from "./video-decoder-engine.js";

if (!parentPort) throw reactorError("INVALID_ARGUMENT", "decoder-worker must run in a worker thread");
const port = parentPort;

let engine: VideoDecoderEngine | undefined;
let format: FrameFormat = "rgb24";
const pool = new BufferPool();
// WASM SIMD128 kernel for rgb24 (several times faster than the JS one), JS when unavailable.
const simd = createSimdI420ToRgb();
const toRgb = simd ? simd.convert : i420ToRgb;

async function init(settings: DecoderWorkerInit): Promise<void> {
  format = settings.format;
  // Engine per backend; `native` loads node-av here, in the worker, never on the main thread.
  engine = settings.backend === "native" ? await NativeVp8Engine.create() : await LibavVp8Engine.create();
}

/** Decodes a batch; `transfers` receives the output buffers to transfer with the reply. */
function decode(request: DecodeRequest, transfers: ArrayBuffer[]): DecodeResponse {
  if (!engine) throw reactorError("NOT_READY", "decoder worker used before init()");
  pool.give(request.recycled);
  const results: WorkerFrameResult[] = [];
  const firstToConvert = request.frames.length - request.convertLast;
  let broken = false;
  let decodeMs = 0;
  let convertMs = 0;
  for (const [index, frame] of request.frames.entries()) {
    if (broken && !frame.keyframe) {
      results.push({ id: frame.id, status: "skipped" });
      continue;
    }
    broken = false;
    const t0 = performance.now();
    let picture: ReturnType<VideoDecoderEngine["decode"]>;
    try {
      picture = engine.decode(frame.data);
    } catch (error) {
      broken = true;
      results.push({ id: frame.id, status: "error", message: (error as Error).message });
      continue;
    } finally {
      decodeMs += performance.now() - t0;
    }
    if (!picture) {
      results.push({ id: frame.id, status: "noPicture" });
      continue;
    }
    const { width, height } = picture;
    if (index < firstToConvert) {
      results.push({ id: frame.id, status: "decoded", width, height });
      continue;
    }
    const t1 = performance.now();
    const out = new Uint8Array(pool.take(frameByteLength(format, width, height)));
    if (format === "rgb24") toRgb(picture, out);
    else if (format === "rgba") i420ToRgba(picture, out);
    else packI420(picture, out);
    convertMs += performance.now() - t1;
    transfers.push(out.buffer);
    results.push({ id: frame.id, status: "decoded", width, height, data: out });
  }
  return { results, decodeMs, convertMs };
}

function fail(id: number, error: unknown): void {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  port.postMessage({ id, ok: false, error: { name, message } } satisfies WorkerReply);
}

port.on("message", (message: WorkerRequest) => {
  switch (message.type) {
    case "init":
      init(message.settings).then(
        () => port.postMessage({ id: message.id, ok: true } satisfies WorkerReply),
        (error: unknown) => fail(message.id, error),
      );
      return;
    case "decode": {
      const transfers: ArrayBuffer[] = [];
      let response: DecodeResponse;
      try {
        response = decode(message, transfers);
      } catch (error) {
        fail(message.id, error);
        return;
      }
      port.postMessage({ id: message.id, ok: true, response } satisfies WorkerReply, transfers);
      return;
    }
    case "crash":
      process.exit(1);
      return;
    case "close":
      // Leaving from inside, between frames: terminating a thread while it is inside a native
      // decoder call (node-av) aborts the whole process with a fatal N-API error.
      process.exit(0);
  }
});
