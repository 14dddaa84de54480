/**
 * Worker-thread entry of the Opus decoder: libopus (libav.js, synchronous in Node) decodes each
 * packet to float PCM at 48 kHz, gaps are concealed from what was heard (see concealment.ts),
 * then every channel is resampled to the output rate and the result leaves as interleaved int16.
 */
import LibAVWrapper from "@libav.js/variant-webm";
import { AUDIO_RTP_CLOCK_HZ, reactorError } from "@reactor-node/protocol";
import { exposeWorkerApi, transferred } from "../worker/comlink-expose.js";
import { Concealer } from "./concealment.js";
import type { AudioDecoderApi, AudioDecoderInit, AudioWorkItem, AudioWorkResult } from "./messages.js";
import { Resampler } from "./resampler.js";

type SyncLibAV = LibAVWrapper.LibAV & LibAVWrapper.LibAVSync;

/** FFmpeg channel layouts. */
const LAYOUT_BY_CHANNELS: Record<number, number> = { 1: 4, 2: 3 };

class OpusDecoder {
  private readonly resamplers: Resampler[];
  private readonly concealer: Concealer;

  private constructor(
    private readonly libav: SyncLibAV,
    private readonly ctx: number,
    private readonly pkt: number,
    private readonly frame: number,
    readonly settings: AudioDecoderInit,
  ) {
    this.resamplers = Array.from(
      { length: settings.channels },
      () => new Resampler(AUDIO_RTP_CLOCK_HZ, settings.sampleRate),
    );
    this.concealer = new Concealer(AUDIO_RTP_CLOCK_HZ, settings.channels);
  }

  static async create(settings: AudioDecoderInit): Promise<OpusDecoder> {
    const libav = (await LibAVWrapper.LibAV({ noworker: true, nothreads: true })) as SyncLibAV;
    libav.av_log_set_level_sync(libav.AV_LOG_QUIET);
    const [, ctx, pkt, frame] = libav.ff_init_decoder_sync("libopus", {
      ctx: {
        channels: settings.channels,
        channel_layout: LAYOUT_BY_CHANNELS[settings.channels],
        sample_rate: AUDIO_RTP_CLOCK_HZ,
      },
    } as never) as unknown as [number, number, number, number];
    return new OpusDecoder(libav, ctx, pkt, frame, settings);
  }

  run(item: AudioWorkItem): AudioWorkResult {
    if (item.kind === "gap")
      return { id: item.id, status: "concealed", data: this.emit(this.concealer.conceal(item.samples)) };
    const frames = this.libav.ff_decode_multi_sync(this.ctx, this.pkt, this.frame, [{ data: item.data } as never], {
      ignoreErrors: false,
    } as never);
    const planes = Array.from({ length: this.settings.channels }, () => [] as Float32Array[]);
    const channels = this.settings.channels;
    for (const f of frames) {
      const data = f.data as Float32Array | Int16Array;
      // libopus decodes to the stream's own layout; mix it to the output's.
      const source = (f as { channels?: number }).channels ?? 1;
      const n = Math.floor(data.length / source);
      const scale = data instanceof Int16Array ? 1 / 32768 : 1;
      for (let c = 0; c < channels; c++) {
        const plane = new Float32Array(n);
        if (source === channels || source === 1) {
          const from = source === 1 ? 0 : c;
          for (let i = 0; i < n; i++) plane[i] = data[i * source + from]! * scale;
        } else {
          for (let i = 0; i < n; i++) {
            let sum = 0;
            for (let s = 0; s < source; s++) sum += data[i * source + s]!;
            plane[i] = (sum / source) * scale;
          }
        }
        planes[c]!.push(plane);
      }
    }
    const joined = planes.map((parts) => concat(parts));
    this.concealer.heard(joined);
    return { id: item.id, status: "decoded", data: this.emit(joined) };
  }

  /** Resamples planar 48 kHz floats and interleaves them as int16. */
  private emit(planes: Float32Array[]): Int16Array {
    const resampled = planes.map((p, c) => this.resamplers[c]!.push(p));
    const n = Math.min(...resampled.map((p) => p.length));
    const channels = resampled.length;
    const out = new Int16Array(n * channels);
    for (let c = 0; c < channels; c++) {
      const p = resampled[c]!;
      for (let i = 0; i < n; i++) {
        const v = Math.round(p[i]! * 32767);
        out[i * channels + c] = Math.min(32767, Math.max(-32768, v));
      }
    }
    return out;
  }

  close(): void {
    this.libav.ff_free_decoder_sync(this.ctx, this.pkt, this.frame);
    this.libav.terminate();
  }
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

let decoder: OpusDecoder | undefined;

const api: AudioDecoderApi = {
  async init(settings) {
    decoder = await OpusDecoder.create(settings);
  },
  async decode(items) {
    if (!decoder) throw reactorError("WORKER_CRASHED", "decode before init");
    const t0 = performance.now();
    const results: AudioWorkResult[] = [];
    for (const item of items) {
      try {
        results.push(decoder.run(item));
      } catch (error) {
        results.push({ id: item.id, status: "error", message: error instanceof Error ? error.message : String(error) });
      }
    }
    const buffers = results.flatMap((r) => (r.status === "error" ? [] : [r.data.buffer as ArrayBuffer]));
    return transferred({ results, decodeMs: performance.now() - t0 }, buffers);
  },
  async close() {
    decoder?.close();
    decoder = undefined;
  },
};

exposeWorkerApi(api, "WORKER_CRASHED");
