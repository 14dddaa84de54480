/**
 * Worker-thread entry that turns one second of the tone into Opus packets with libopus
 * (libav.js). libav.js runs synchronously in Node and its first encode takes ≈100 ms, so it
 * never runs on the thread that paces media. The encoder first runs through one second to
 * settle, then encodes the second that becomes the loop, so the loop's first packet does not
 * carry a cold encoder's start-up.
 */
import { parentPort } from "node:worker_threads";
import LibAVWrapper from "@libav.js/variant-webm";
import { AUDIO_RTP_CLOCK_HZ } from "@reactor-node/protocol";
import { OPUS_FRAME_SAMPLES, TONE_BITRATE, TONE_LOOP_FRAMES, tonePcm } from "./tone.js";
import type { ToneReply, ToneRequest } from "./tone-protocol.js";

const port = parentPort;
if (!port) throw new Error("tone-encoder-worker must run in a worker thread");

/** FFmpeg's AV_CH_LAYOUT_MONO. */
const CHANNEL_LAYOUT_MONO = 4;

type SyncLibAV = LibAVWrapper.LibAV & LibAVWrapper.LibAVSync;
const libavReady: Promise<SyncLibAV> = LibAVWrapper.LibAV({ noworker: true, nothreads: true }).then((libav) => {
  libav.av_log_set_level_sync(libav.AV_LOG_QUIET);
  return libav as SyncLibAV;
});

function encodeLoop(libav: SyncLibAV, frequencyHz: number): Uint8Array[] {
  const [, ctx, frame, pkt] = libav.ff_init_encoder_sync("libopus", {
    ctx: {
      sample_fmt: libav.AV_SAMPLE_FMT_S16,
      sample_rate: AUDIO_RTP_CLOCK_HZ,
      channel_layout: CHANNEL_LAYOUT_MONO,
      channels: 1,
      bit_rate: TONE_BITRATE,
      frame_size: OPUS_FRAME_SAMPLES,
    },
    options: { application: "audio" },
  });
  try {
    const frames = [];
    for (let k = 0; k < 2 * TONE_LOOP_FRAMES; k++) {
      frames.push({
        data: tonePcm(frequencyHz, (k % TONE_LOOP_FRAMES) * OPUS_FRAME_SAMPLES, OPUS_FRAME_SAMPLES),
        format: libav.AV_SAMPLE_FMT_S16,
        sample_rate: AUDIO_RTP_CLOCK_HZ,
        channel_layout: CHANNEL_LAYOUT_MONO,
        channels: 1,
        nb_samples: OPUS_FRAME_SAMPLES,
        pts: k * OPUS_FRAME_SAMPLES,
      });
    }
    const packets = libav.ff_encode_multi_sync(ctx, frame, pkt, frames, true);
    // libopus delays its output by its look-ahead, so packet k carries mostly input frame k.
    const loop = packets.slice(TONE_LOOP_FRAMES, 2 * TONE_LOOP_FRAMES).map((p) => p.data.slice());
    if (loop.length !== TONE_LOOP_FRAMES) throw new Error(`libopus returned ${packets.length} packets`);
    return loop;
  } finally {
    libav.ff_free_encoder_sync(ctx, frame, pkt);
  }
}

port.on("message", async (request: ToneRequest) => {
  let reply: ToneReply;
  try {
    const libav = await libavReady;
    const t0 = performance.now();
    const packets = encodeLoop(libav, request.frequencyHz);
    reply = { id: request.id, ok: true, packets, encodeMs: performance.now() - t0 };
  } catch (error) {
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, reply.ok ? reply.packets.map((p) => p.buffer as ArrayBuffer) : []);
});
