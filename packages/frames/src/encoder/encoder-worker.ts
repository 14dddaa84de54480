// Worker entry of a published track's encoder: one per track (VP8 and Opus are stateful),
// exposed through comlink. Converts RGB/RGBA to I420 and encodes VP8, or resamples PCM to
// 48 kHz and encodes Opus; buffers come in and go out transferred, and a picture's buffer goes
// back with its encoded frame so the main thread can reuse it.
import { isReactorError, reactorError } from "@reactor-node/protocol";
import { exposeWorkerApi, transferred } from "../worker/comlink-expose.js";
import { LibavVp8Engine } from "./libav-vp8-engine.js";
import { NativeVp8Engine } from "./native-vp8-engine.js";
import { OpusEngine } from "./opus-engine.js";
import { OpusFramer } from "./resampler.js";
import { createI420Converter } from "./rgb-to-i420-simd.js";
import type { VideoEncoderEngine, VideoEncoderSettings } from "./video-engine.js";
import type {
  AudioEncodeInput,
  AudioEncodeOutput,
  EncoderBackend,
  EncoderWorkerApi,
  VideoEncodeInput,
  VideoEncodeOutput,
} from "./worker-api.js";

let backend: EncoderBackend = "wasm";
let video: { engine: VideoEncoderEngine; settings: VideoEncoderSettings } | undefined;
let audio: { engine: OpusEngine; framer: OpusFramer } | undefined;
const converter = createI420Converter();

async function createVideoEngine(settings: VideoEncoderSettings): Promise<void> {
  video?.engine.close();
  video = undefined;
  const engine = backend === "native" ? await NativeVp8Engine.create(settings) : await LibavVp8Engine.create(settings);
  video = { engine, settings };
}

function sameSettings(a: VideoEncoderSettings, b: VideoEncoderSettings): boolean {
  return a.width === b.width && a.height === b.height && a.bitrate === b.bitrate && a.fps === b.fps;
}

/**
 * The main thread keeps more than one picture in flight (ENCODER_PIPELINE_DEPTH) and comlink
 * starts each call as it arrives: pictures are encoded one after the other, in arrival order,
 * even when one has to wait for a new encoder first.
 */
let videoQueue: Promise<unknown> = Promise.resolve();
function encodeVideo(input: VideoEncodeInput): Promise<VideoEncodeOutput> {
  const result = videoQueue.then(() => encodeOneVideo(input));
  videoQueue = result.catch(() => undefined);
  return result;
}

/** Encodes one picture, (re)creating the encoder when its size or bitrate changed. */
async function encodeOneVideo(input: VideoEncodeInput): Promise<VideoEncodeOutput> {
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
    // The converter's own memory: the engine copies the picture in anyway.
    const i420 =
      input.format === "i420"
        ? input.data
        : converter.convert(input.data, input.width, input.height, input.format === "rgba" ? 4 : 3);
    const t1 = performance.now();
    const encoded = engine.encode(i420, input.pts90k, input.keyframe || reconfigured);
    const t2 = performance.now();
    const data = ownBuffer(encoded.data);
    const out: VideoEncodeOutput = {
      data,
      input: input.data,
      keyframe: encoded.keyframe,
      reconfigured,
      convertMs: t1 - t0,
      encodeMs: t2 - t1,
    };
    return transferred(out, [data.buffer, input.data.buffer]);
  } catch (error) {
    throw toEncodeError(error);
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
      throw isReactorError(error)
        ? error
        : reactorError(
            "CODEC_UNAVAILABLE",
            `The encoder could not start: ${error instanceof Error ? error.message : String(error)}`,
          );
    }
  },

  encodeVideo,

  encodeAudio(input: AudioEncodeInput): AudioEncodeOutput {
    if (!audio) throw reactorError("NOT_READY", "encodeAudio() before init()");
    const t0 = performance.now();
    try {
      const packets: Uint8Array[] = [];
      for (const frame of audio.framer.push(input.data, input.sampleRate, input.channels)) {
        packets.push(...audio.engine.encode(frame));
      }
      const out = { packets, encodeMs: performance.now() - t0 };
      return transferred(
        out,
        packets.map((p) => p.buffer),
      );
    } catch (error) {
      throw toEncodeError(error);
    }
  },

  release() {
    video?.engine.close();
    audio?.engine.close();
    video = undefined;
    audio = undefined;
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

exposeWorkerApi(api, "FRAME_ENCODE_ERROR");
