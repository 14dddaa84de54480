// Worker entry: one per video stream (VP8 decoding is stateful). Answers WorkerRequests on its
// parent port; decodes VP8 → I420 → the requested pixel format and transfers the pixels back.
import { parentPort } from "node:worker_threads";
import { reactorError } from "@reactor-node/protocol";
import { vp8KeyframeSize } from "../codec/vp8.js";
import { frameByteLength } from "../frame.js";
import { type I420Planes, packI420 } from "../kernel/i420.js";
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
let settings: DecoderWorkerInit = { format: "rgb24", backend: "wasm" };
const pool = new BufferPool();
// WASM SIMD128 kernel for rgb24 (several times faster than the JS one), JS when unavailable.
let kernel = createSimdI420ToRgb();
/** The largest picture the current engine and kernel have held, pixels. */
let peakPixels = 0;

function toRgb(src: I420Planes, dst: Uint8Array): Uint8Array {
  return kernel ? kernel.convert(src, dst) : i420ToRgb(src, dst);
}

async function init(init: DecoderWorkerInit): Promise<void> {
  settings = init;
  engine = await createEngine();
}

/** The engine of the configured backend; `native` loads node-av here, in the worker, never on the main thread. */
function createEngine(): Promise<VideoDecoderEngine> {
  return settings.backend === "native" ? NativeVp8Engine.create() : LibavVp8Engine.create();
}

/**
 * Starts a fresh engine and kernel. Done before a keyframe smaller than the largest picture so
 * far: WASM memory never shrinks and libvpx keeps its frame buffers at the largest size, so one
 * huge keyframe would otherwise hold hundreds of MiB until the receiver closes.
 */
async function renewEngine(): Promise<void> {
  const fresh = await createEngine();
  engine?.close();
  engine = fresh;
  kernel = createSimdI420ToRgb();
  peakPixels = 0;
}

/** Decodes a batch; `transfers` receives the output buffers to transfer with the reply. */
async function decode(request: DecodeRequest, transfers: ArrayBuffer[]): Promise<DecodeResponse> {
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
    // By the bytes, like the decoder (a caller's keyframe flag may be wrong).
    const size = vp8KeyframeSize(frame.data);
    if (size) {
      const pixels = size.width * size.height;
      if (pixels < peakPixels) await renewEngine();
      // libvpx sizes its buffers from the header, even when the rest of the frame is garbage.
      peakPixels = Math.max(peakPixels, pixels);
    }
    const t0 = performance.now();
    let picture: ReturnType<VideoDecoderEngine["decode"]>;
    try {
      picture = engine!.decode(frame.data);
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
    const { format } = settings;
    const out = new Uint8Array(pool.take(frameByteLength(format, width, height)));
    if (format === "rgb24") toRgb(picture, out);
    else if (format === "rgba") i420ToRgba(picture, out);
    else packI420(picture, out);
    convertMs += performance.now() - t1;
    transfers.push(out.buffer);
    results.push({ id: frame.id, status: "decoded", width, height, data: out });
  }
  const memoryBytes = (engine?.memoryBytes ?? 0) + (kernel?.memoryBytes ?? 0) + pool.bytes;
  return { results, decodeMs, convertMs, memoryBytes };
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
      decode(message, transfers).then(
        (response) => port.postMessage({ id: message.id, ok: true, response } satisfies WorkerReply, transfers),
        (error: unknown) => fail(message.id, error),
      );
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
