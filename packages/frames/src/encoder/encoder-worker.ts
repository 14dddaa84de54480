// Worker entry of a published track's encoder: one per track (VP8 and Opus are stateful),
// exposed through comlink. Converts RGB/RGBA to I420 and encodes VP8, or resamples PCM to
// 48 kHz and encodes Opus; buffers come in and go out transferred.
import { parentPort } from "node:worker_threads";
import { isReactorError, reactorError } from "@reactor-node/protocol";
import * as Comlink from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { LibavVp8Engine } from "./libav-vp8-engine.js";
import { NativeVp8Engine } from "./native-vp8-engine.js";
import { OpusEngine } from "./opus-engine.js";
import { OpusFramer } from "./resampler.js";
import { i420ByteLength } from "./rgb-to-i420.js";
import { createRgbToI420 } from "./rgb-to-i420-simd.js";
import type { VideoEncoderEngine, VideoEncoderSettings } from "./video-engine.js";
import type {
  AudioEncodeInput,
  AudioEncodeOutput,
  EncoderBackend,
  EncoderWorkerApi,
  VideoEncodeInput,
  VideoEncodeOutput,
} from "./worker-api.js";

if (!parentPort) throw reactorError("INVALID_ARGUMENT", "encoder-worker must run in a worker thread");
const port = parentPort;

let backend: EncoderBackend = "wasm";
let video: { engine: VideoEncoderEngine; settings: VideoEncoderSettings } | undefined;
let audio: { engine: OpusEngine; framer: OpusFramer } | undefined;
let scratch = new Uint8Array(0);
const convert = createRgbToI420();

async function createVideoEngine(settings: VideoEncoderSettings): Promise<void> {
  video?.engine.close();
  video = undefined;
  const engine = backend === "native" ? await NativeVp8Engine.create(settings) : await LibavVp8Engine.create(settings);
  video = { engine, settings };
}

function sameSettings(a: VideoEncoderSettings, b: VideoEncoderSettings): boolean {
  return a.width === b.width && a.height === b.height && a.bitrate === b.bitrate && a.fps === b.fps;
}

// Comlink serialises thrown values as plain Errors; keep the ReactorError code in the message
// header so the main thread can rebuild it (see video-encoder.ts).
function boundaryError(error: unknown): Error {
  if (isReactorError(error)) return Object.assign(new Error(error.message), { name: `ReactorError:${error.code}` });
  return error instanceof Error ? error : new Error(String(error));
}

/** Encodes one picture, (re)creating the encoder when its size or bitrate changed. */
async function encodeVideo(input: VideoEncodeInput): Promise<VideoEncodeOutput> {
  try {
    const settings: VideoEncoderSettings = {
      width: input.width,
      height: input.height,
      fps: input.fps,
      bitrate: input.bitrate,
    };
    let reconfigured = false;
    if (!video || !sameSettings(video.settings, settings)) {
      await createVideoEngine(settings);
      reconfigured = true;
    }
    const engine = video!.engine;
    const t0 = performance.now();
    let i420 = input.data;
    if (input.format !== "i420") {
      const size = i420ByteLength(input.width, input.height);
      if (scratch.length !== size) scratch = new Uint8Array(size);
      convert(input.data, input.width, input.height, input.format === "rgba" ? 4 : 3, scratch);
      i420 = scratch;
    }
    const t1 = performance.now();
    const encoded = engine.encode(i420, input.pts90k, input.keyframe || reconfigured);
    const t2 = performance.now();
    const data = ownBuffer(encoded.data);
    const out: VideoEncodeOutput = {
      data,
      keyframe: encoded.keyframe,
      reconfigured,
      convertMs: t1 - t0,
      encodeMs: t2 - t1,
    };
    return Comlink.transfer(out, [data.buffer as ArrayBuffer]);
  } catch (error) {
    throw boundaryError(toEncodeError(error));
  }
}

const api = {
  async init(settings) {
    try {
      if (settings.kind === "video") {
        backend = settings.backend;
        // Load the backend now, so a missing node-av fails the publish, not the first frame.
        if (backend === "native") await import("node-av/lib");
        else await (await import("./libav-vp8-engine.js")).workerLibav();
        return;
      }
      audio = {
        engine: await OpusEngine.create(settings.channels, settings.bitrate),
        framer: new OpusFramer(settings.channels),
      };
    } catch (error) {
      throw boundaryError(
        isReactorError(error)
          ? error
          : reactorError(
              "CODEC_UNAVAILABLE",
              `The encoder could not start: ${error instanceof Error ? error.message : String(error)}`,
            ),
      );
    }
  },

  encodeVideo,

  encodeAudio(input: AudioEncodeInput): AudioEncodeOutput {
    if (!audio) throw boundaryError(reactorError("NOT_READY", "encodeAudio() before init()"));
    const t0 = performance.now();
    try {
      const packets: Uint8Array[] = [];
      for (const frame of audio.framer.push(input.data, input.sampleRate, input.channels)) {
        packets.push(...audio.engine.encode(frame));
      }
      const out = { packets, encodeMs: performance.now() - t0 };
      return Comlink.transfer(
        out,
        packets.map((p) => p.buffer as ArrayBuffer),
      );
    } catch (error) {
      throw boundaryError(toEncodeError(error));
    }
  },

  close() {
    video?.engine.close();
    audio?.engine.close();
    video = undefined;
    audio = undefined;
    // Leave from inside, after this call's reply is posted: terminating a thread inside a
    // native (node-av) call aborts the whole process.
    setImmediate(() => process.exit(0));
  },
} satisfies EncoderWorkerApi;

function toEncodeError(error: unknown) {
  return isReactorError(error)
    ? error
    : reactorError("FRAME_ENCODE_ERROR", `Encoding failed: ${(error as Error)?.message ?? String(error)}`);
}

// A transferable copy: libav.js hands out views into buffers it may reuse.
function ownBuffer(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes;
  }
  return bytes.slice();
}

Comlink.expose(api, nodeEndpoint(port as never));
