// Worker entry: decodes one published VP8 track (libav.js libvpx), reads the test pattern back
// from a half-resolution RGB picture, and re-encodes with the model's effect when asked. One
// per published video track (a VP8 decoder is stateful).
import { parentPort } from "node:worker_threads";
import LibAVWrapper from "@libav.js/variant-webm";
import { referenceI420ToRgb, referenceRgbToI420 } from "../video/color.js";
import { applyEffect } from "../video/effects.js";
import { type Effect, GRID_ROWS, SCENE_FIRST_ROW } from "../video/layout.js";
import { maxPatchError, readPattern } from "../video/reader.js";
import { defaultBitrate, type SyncLibAV, Vp8Encoder } from "../video/vp8-encoder.js";
import type { EchoEffect, EchoRequest, EchoResponse } from "./echo-protocol.js";

const port = parentPort;
if (!port) throw new Error("echo-worker must run in a worker thread");

interface DecodedFrame {
  data: Uint8Array;
  width: number;
  height: number;
  layout?: { offset: number; stride: number }[];
}

const libavReady: Promise<SyncLibAV> = LibAVWrapper.LibAV({ noworker: true, nothreads: true }).then((libav) => {
  libav.av_log_set_level_sync(libav.AV_LOG_QUIET);
  return libav;
});
let decoder: [number, number, number] | undefined;
let encoder: { instance: Vp8Encoder; key: string } | undefined;
let rgb = new Uint8Array(0);
let encoderFrames = 0;

function post(message: EchoResponse, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function openDecoder(libav: SyncLibAV): [number, number, number] {
  if (!decoder) {
    const [, ctx, pkt, frame] = libav.ff_init_decoder_sync("libvpx") as unknown as [number, number, number, number];
    decoder = [ctx, pkt, frame];
  }
  return decoder;
}

// Every second pixel of every second row (luma at (2x, 2y), its chroma sample at (x, y)): enough
// for the pattern reader, a quarter of the work. Same BT.601 maths as `video/color.ts`.
function halfRgb(frame: DecodedFrame): { rgb: Uint8Array; width: number; height: number } {
  const width = frame.width >> 1;
  const height = frame.height >> 1;
  const [yp, up, vp] = (frame.layout ?? []) as Array<{ offset: number; stride: number }>;
  const out = new Uint8Array(width * height * 3);
  const d = frame.data;
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
  for (let y = 0; y < height; y++) {
    const yRow = yp!.offset + 2 * y * yp!.stride;
    const uRow = up!.offset + y * up!.stride;
    const vRow = vp!.offset + y * vp!.stride;
    for (let x = 0, p = y * width * 3; x < width; x++, p += 3) {
      const yy = 1.164 * ((d[yRow + 2 * x] as number) - 16);
      const u = (d[uRow + x] as number) - 128;
      const v = (d[vRow + x] as number) - 128;
      out[p] = clamp(yy + 1.596 * v);
      out[p + 1] = clamp(yy - 0.392 * u - 0.813 * v);
      out[p + 2] = clamp(yy + 2.017 * u);
    }
  }
  return { rgb: out, width, height };
}

function reencode(libav: SyncLibAV, frame: DecodedFrame, effect: EchoEffect): { data: Uint8Array; keyframe: boolean } {
  const { width, height } = frame;
  if (rgb.length !== width * height * 3) rgb = new Uint8Array(width * height * 3);
  referenceI420ToRgb(frame.data, width, height, frame.layout, rgb);
  // The effect covers the scene rows only, as on the model's own picture, so a published test
  // pattern stays machine-readable after it.
  const sceneTop = Math.floor((SCENE_FIRST_ROW * height) / GRID_ROWS);
  applyEffect(
    rgb,
    width,
    { x0: 0, y0: sceneTop, x1: width, y1: height },
    effect.effect as Effect,
    effect.intensity,
    height / 360,
  );
  const bitrate = effect.bitrate || defaultBitrate(width, height, effect.fps);
  const key = `${width}x${height}@${bitrate}/${effect.fps}`;
  let forceKey = effect.keyframe;
  if (encoder?.key !== key) {
    encoder?.instance.close();
    encoder = { instance: new Vp8Encoder(libav, { width, height, fps: effect.fps, bitrate }, "live"), key };
    forceKey = true;
  }
  return encoder.instance.encode(referenceRgbToI420(rgb, width, height), encoderFrames++, forceKey);
}

async function onFrame(request: Extract<EchoRequest, { type: "frame" }>): Promise<void> {
  const libav = await libavReady;
  const t0 = performance.now();
  const [ctx, pkt, frameHandle] = openDecoder(libav);
  const frames = libav.ff_decode_multi_sync(ctx, pkt, frameHandle, [{ data: request.data } as never], {
    ignoreErrors: false,
  } as never) as unknown as DecodedFrame[];
  const frame = frames[frames.length - 1];
  if (!frame) {
    post({ type: "error", id: request.id, message: "the VP8 decoder produced no picture" });
    return;
  }
  const decodeMs = performance.now() - t0;
  const half = halfRgb(frame);
  const reading = readPattern(half.rgb, half.width, half.height);
  const pattern = reading ? { frameNumber: reading.frameNumber, maxPatchError: maxPatchError(reading) } : null;
  const encoded = request.effect ? reencode(libav, frame, request.effect) : undefined;
  post(
    {
      type: "frame",
      id: request.id,
      width: frame.width,
      height: frame.height,
      pattern,
      decodeMs,
      ...(encoded && { encoded }),
    },
    encoded ? [encoded.data.buffer as ArrayBuffer] : [],
  );
}

port.on("message", (request: EchoRequest) => {
  if (request.type === "reset") {
    void libavReady.then((libav) => {
      if (decoder) libav.ff_free_decoder_sync(decoder[0], decoder[1], decoder[2]);
      decoder = undefined;
    });
    return;
  }
  onFrame(request).catch((error: unknown) => {
    post({ type: "error", id: request.id, message: error instanceof Error ? error.message : String(error) });
  });
});
