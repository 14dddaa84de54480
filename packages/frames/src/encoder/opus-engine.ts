import { reactorError } from "@reactor-node/protocol";
import { workerLibav } from "./libav-vp8-engine.js";
import { OPUS_FRAME_SAMPLES, OPUS_SAMPLE_RATE_HZ } from "./resampler.js";

/** FFmpeg channel-layout masks (AV_CH_LAYOUT_MONO / _STEREO). */
const CHANNEL_LAYOUT = { 1: 0x4, 2: 0x3 } as const;

/** Default Opus target: ample for speech and music at 48 kHz. */
export const DEFAULT_OPUS_BITRATE = 64_000;

/**
 * Opus encoding with libav.js (libopus in WASM) inside the encoder worker: 20 ms frames of
 * 48 kHz int16, one packet each. Audio is cheap enough that one backend serves both choices.
 */
export class OpusEngine {
  private closed = false;
  private pts = 0;

  private constructor(
    private readonly libav: Awaited<ReturnType<typeof workerLibav>>,
    readonly channels: 1 | 2,
    private readonly ctx: number,
    private readonly frame: number,
    private readonly pkt: number,
  ) {}

  static async create(channels: 1 | 2, bitrate = DEFAULT_OPUS_BITRATE): Promise<OpusEngine> {
    const libav = await workerLibav();
    const [, ctx, frame, pkt, frameSize] = libav.ff_init_encoder_sync("libopus", {
      ctx: {
        sample_rate: OPUS_SAMPLE_RATE_HZ,
        sample_fmt: libav.AV_SAMPLE_FMT_S16,
        channel_layout: CHANNEL_LAYOUT[channels],
        channels,
        bit_rate: bitrate,
      },
      time_base: [1, OPUS_SAMPLE_RATE_HZ],
      options: { application: "audio", frame_duration: "20" },
    }) as unknown as [number, number, number, number, number];
    if (!ctx) throw reactorError("FRAME_ENCODE_ERROR", "libav.js could not open its libopus encoder");
    if (frameSize !== OPUS_FRAME_SAMPLES) {
      libav.ff_free_encoder_sync(ctx, frame, pkt);
      throw reactorError(
        "FRAME_ENCODE_ERROR",
        `libopus asked for ${frameSize}-sample frames, not ${OPUS_FRAME_SAMPLES}`,
      );
    }
    return new OpusEngine(libav, channels, ctx, frame, pkt);
  }

  /** Encodes one 20 ms frame (`OPUS_FRAME_SAMPLES * channels` interleaved samples); returns its packets. */
  encode(samples: Int16Array): Uint8Array[] {
    if (this.closed) throw reactorError("ABORTED", "The Opus encoder is closed");
    const packets = this.libav.ff_encode_multi_sync(this.ctx, this.frame, this.pkt, [
      {
        data: samples,
        format: this.libav.AV_SAMPLE_FMT_S16,
        channel_layout: CHANNEL_LAYOUT[this.channels],
        channels: this.channels,
        sample_rate: OPUS_SAMPLE_RATE_HZ,
        nb_samples: OPUS_FRAME_SAMPLES,
        pts: this.pts,
      },
    ]);
    this.pts += OPUS_FRAME_SAMPLES;
    return packets.map((p) => p.data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.libav.ff_free_encoder_sync(this.ctx, this.frame, this.pkt);
  }
}
