/**
 * Worker-thread entry of the shared video encoder. libav.js runs libvpx synchronously in Node
 * (5–20 ms per frame), so it lives here, never on the main thread. One worker serves every
 * loop build and every live stream; a loop build yields between chunks so live frames of
 * other sessions interleave with it instead of waiting seconds.
 */
import { parentPort } from "node:worker_threads";
import LibAVWrapper from "@libav.js/variant-webm";
import { i420Layout } from "./color.js";
import type { EncoderParams, EncoderRequest, EncoderResponse, WireState } from "./encoder-protocol.js";
import { LOOP_FRAMES } from "./frame-number.js";
import { overlayFromBytes } from "./overlay.js";
import { DEFAULT_PATTERN_STATE, type PatternState, renderPatternI420 } from "./pattern.js";
import { type SyncLibAV, Vp8Encoder } from "./vp8-encoder.js";

/**
 * Loop frames encoded between two yields to the message queue: small, so a live frame of
 * another session waits at most ≈100 ms (720p) behind a loop build.
 */
const LOOP_CHUNK_FRAMES = 2;

const port = parentPort;
if (!port) throw new Error("encoder-worker must run in a worker thread");

interface LiveStream {
  params: EncoderParams;
  encoder: Vp8Encoder;
  state: PatternState | null;
  scratch: { rgb?: Uint8Array; out?: Uint8Array };
}

const streams = new Map<number, LiveStream>();
const libavReady: Promise<SyncLibAV> = LibAVWrapper.LibAV({ noworker: true, nothreads: true }).then((libav) => {
  libav.av_log_set_level_sync(libav.AV_LOG_QUIET);
  return libav;
});

function post(message: EncoderResponse): void {
  const transfer: ArrayBuffer[] = [];
  const own = (b: Uint8Array | undefined) => {
    if (b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) {
      if (!transfer.includes(b.buffer)) transfer.push(b.buffer);
    }
  };
  if (message.type === "frame") own(message.data);
  if (message.type === "loopChunk") {
    own(message.black);
    for (const b of message.delta) own(b);
    for (const b of message.key) own(b ?? undefined);
  }
  port?.postMessage(message, transfer);
}

function toPatternState(wire: WireState): PatternState {
  return {
    effect: wire.effect,
    intensity: wire.intensity,
    caption: wire.caption,
    overlay: wire.overlay ? overlayFromBytes(wire.overlay) : null,
    overlayStrength: wire.overlayStrength,
  };
}

function sameParams(a: EncoderParams, b: EncoderParams): boolean {
  return a.width === b.width && a.height === b.height && a.fps === b.fps && a.bitrate === b.bitrate;
}

async function buildLoop(libav: SyncLibAV, id: number, params: EncoderParams, wire: WireState): Promise<void> {
  const state = toPatternState(wire);
  const chain = new Vp8Encoder(libav, params, "chain");
  const keys = new Vp8Encoder(libav, params, "keyframes");
  const scratch: { rgb?: Uint8Array; out?: Uint8Array } = {};
  try {
    // BT.601 limited-range black: Y=16, U=V=128.
    const layout = i420Layout(params.width, params.height);
    const black = new Uint8Array(layout.size).fill(128);
    black.fill(16, 0, params.width * params.height);
    let blackFrame: Uint8Array | undefined = keys.encode(black, 0, true).data;
    for (let start = 0; start < LOOP_FRAMES; start += LOOP_CHUNK_FRAMES) {
      const t0 = performance.now();
      const delta: Uint8Array[] = [];
      const key: (Uint8Array | null)[] = [];
      for (let i = start; i < Math.min(LOOP_FRAMES, start + LOOP_CHUNK_FRAMES); i++) {
        const picture = renderPatternI420(i, params.width, params.height, state, scratch);
        const d = chain.encode(picture, i, i === 0);
        delta.push(d.data);
        // Keyframe variants can only enter the chain at even indices (see vp8-encoder.ts); the
        // chain's first frame already is a keyframe.
        key.push(i % 2 === 1 ? null : i === 0 ? d.data.slice() : keys.encode(picture, i + 1, true).data);
      }
      post({
        type: "loopChunk",
        id,
        start,
        delta,
        key,
        encodeMs: performance.now() - t0,
        ...(blackFrame && { black: blackFrame }),
      });
      blackFrame = undefined;
      await new Promise((resolve) => setImmediate(resolve));
    }
    post({ type: "loopDone", id });
  } finally {
    chain.close();
    keys.close();
  }
}

function encodeLive(libav: SyncLibAV, request: Extract<EncoderRequest, { type: "live" }>): void {
  const t0 = performance.now();
  let stream = streams.get(request.stream);
  if (stream && !sameParams(stream.params, request.params)) {
    stream.encoder.close();
    streams.delete(request.stream);
    stream = undefined;
  }
  let forceKey = request.keyframe;
  if (!stream) {
    stream = {
      params: request.params,
      encoder: new Vp8Encoder(libav, request.params, "live"),
      state: null,
      scratch: {},
    };
    streams.set(request.stream, stream);
    forceKey = true;
  }
  if (request.state) stream.state = toPatternState(request.state);
  const picture = renderPatternI420(
    request.frameNumber,
    request.params.width,
    request.params.height,
    stream.state ?? DEFAULT_PATTERN_STATE,
    stream.scratch,
  );
  const frame = stream.encoder.encode(picture, request.frameNumber, forceKey);
  post({ type: "frame", id: request.id, data: frame.data, keyframe: frame.keyframe, encodeMs: performance.now() - t0 });
}

port.on("message", async (request: EncoderRequest) => {
  let libav: SyncLibAV;
  try {
    libav = await libavReady;
  } catch (error) {
    if (request.type !== "closeLive")
      post({ type: "error", id: request.id, message: `libav.js failed to load: ${error}` });
    return;
  }
  try {
    switch (request.type) {
      case "loop":
        await buildLoop(libav, request.id, request.params, request.state);
        return;
      case "live":
        encodeLive(libav, request);
        return;
      case "closeLive":
        streams.get(request.stream)?.encoder.close();
        streams.delete(request.stream);
        return;
    }
  } catch (error) {
    if (request.type !== "closeLive") {
      post({ type: "error", id: request.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
});
