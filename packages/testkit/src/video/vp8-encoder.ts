import type LibAVWrapper from "@libav.js/variant-webm";
import { i420Layout } from "./color.js";
import type { EncoderParams } from "./encoder-protocol.js";

/** A synchronous libav.js instance (only ever created inside a worker thread). */
export type SyncLibAV = LibAVWrapper.LibAV & LibAVWrapper.LibAVSync;

// libvpx realtime settings: no lag and no alt-ref, so every input frame yields exactly one
// output frame, in order, which is what lets loop index = frame number.
const REALTIME_OPTIONS: Record<string, string> = {
  deadline: "realtime",
  "cpu-used": "8",
  "lag-in-frames": "0",
  "auto-alt-ref": "0",
  "error-resilient": "1",
};

/**
 * The loop's chain must predict from LAST only: a PLI is answered with a keyframe variant
 * followed by the chain's next deltas, and a keyframe resets golden/alt-ref to itself, so any
 * delta that referenced the encoder's older golden frame would decode to garbage. ffmpeg's
 * temporal layering mode 2 gives exactly that (even frames: ref+update LAST; odd frames: ref
 * LAST, update nothing), at the price that keyframe variants can only enter at even indices.
 */
function lastOnlyLayers(bitrate: number): string {
  const kbps = Math.round(bitrate / 1000);
  return `ts_number_layers=2:ts_target_bitrate=${Math.round(kbps * 0.6)},${kbps}:ts_rate_decimator=2,1:ts_periodicity=2:ts_layer_id=0,1:ts_layering_mode=2`;
}

/** AV_PICTURE_TYPE_I: libvpxenc turns it into VPX_EFLAG_FORCE_KF. */
const PICTURE_TYPE_I = 1;
/** AV_PKT_FLAG_KEY. */
const PACKET_FLAG_KEY = 1;

/** How an encoder context is used. */
export type EncoderRole = "chain" | "keyframes" | "live";

/** A sensible VP8 target for a picture size: ≈1 Mbps at 360p30, ≈2.5 Mbps at 720p30. */
export function defaultBitrate(width: number, height: number, fps: number): number {
  const pixels = (width * height) / (640 * 360);
  return Math.round(1_000_000 * pixels ** 0.66 * Math.min(2, Math.max(0.5, fps / 30)));
}

/** One encoded frame. */
export interface EncodedFrame {
  data: Uint8Array;
  keyframe: boolean;
}

/** One libvpx VP8 encoder context inside a synchronous libav.js instance. */
export class Vp8Encoder {
  private readonly ctx: number;
  private readonly frame: number;
  private readonly pkt: number;
  private readonly layout;
  private closed = false;

  constructor(
    private readonly libav: SyncLibAV,
    private readonly params: EncoderParams,
    role: EncoderRole,
  ) {
    this.layout = i420Layout(params.width, params.height);
    // The keyframe-variant context is all-intra; its frames become the reference for the
    // chain's next delta, so they get a higher budget and a quality ceiling to keep drift small.
    const intra = role === "keyframes";
    const [, ctx, frame, pkt] = libav.ff_init_encoder_sync("libvpx", {
      ctx: {
        width: params.width,
        height: params.height,
        pix_fmt: libav.AV_PIX_FMT_YUV420P,
        bit_rate: intra ? params.bitrate * 4 : params.bitrate,
        framerate_num: params.fps,
        framerate_den: 1,
        gop_size: intra ? 1 : 1 << 30,
        qmin: 4,
        qmax: intra ? 30 : 50,
      },
      time_base: [1, params.fps],
      options:
        role === "chain" ? { ...REALTIME_OPTIONS, "ts-parameters": lastOnlyLayers(params.bitrate) } : REALTIME_OPTIONS,
    });
    this.ctx = ctx;
    this.frame = frame;
    this.pkt = pkt;
  }

  /** Encodes one I420 picture (tightly packed); `keyframe` forces a keyframe. */
  encode(i420: Uint8Array, pts: number, keyframe: boolean): EncodedFrame {
    if (this.closed) throw new Error("encoder closed");
    const packets = this.libav.ff_encode_multi_sync(this.ctx, this.frame, this.pkt, [
      {
        data: i420,
        format: this.libav.AV_PIX_FMT_YUV420P,
        width: this.params.width,
        height: this.params.height,
        layout: this.layout.planes,
        pts,
        pict_type: keyframe ? PICTURE_TYPE_I : 0,
        key_frame: keyframe ? 1 : 0,
      },
    ]);
    const packet = packets[0];
    if (packets.length !== 1 || !packet) throw new Error(`libvpx returned ${packets.length} packets for one frame`);
    return { data: packet.data, keyframe: ((packet.flags ?? 0) & PACKET_FLAG_KEY) !== 0 };
  }

  /** Frees the context (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.libav.ff_free_encoder_sync(this.ctx, this.frame, this.pkt);
  }
}
