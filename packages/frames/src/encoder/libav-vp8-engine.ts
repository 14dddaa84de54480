import LibAVWrapper from "@libav.js/variant-webm";
import { reactorError, VIDEO_RTP_CLOCK_HZ } from "@reactor-node/protocol";
import { chromaSize } from "../kernel/i420.js";
import {
  type EncodedVp8,
  type VideoEncoderEngine,
  type VideoEncoderSettings,
  VP8_MAX_KEYFRAME_INTERVAL_S,
  VP8_QMAX,
  VP8_QMIN,
  VP8_REALTIME_OPTIONS,
} from "./video-engine.js";

type LibAVInstance = LibAVWrapper.LibAV & LibAVWrapper.LibAVSync;

/** AV_PICTURE_TYPE_I: libvpxenc turns it into VPX_EFLAG_FORCE_KF. */
const PICTURE_TYPE_I = 1;
/** AV_PKT_FLAG_KEY. */
const PACKET_FLAG_KEY = 1;

let shared: Promise<LibAVInstance> | undefined;

/** The worker's libav.js instance (one per thread; VP8 and Opus contexts share it). */
export function workerLibav(): Promise<LibAVInstance> {
  shared ??= LibAVWrapper.LibAV({ noworker: true, nothreads: true }).then((libav) => {
    const sync = libav as LibAVInstance;
    sync.av_log_set_level_sync(sync.AV_LOG_QUIET);
    return sync;
  });
  return shared;
}

/**
 * VP8 encoding with libav.js (libvpx compiled to WASM), synchronous inside the encoder worker:
 * in Node libav.js runs "direct", so every `*_sync` call is a plain call on this thread.
 */
export class LibavVp8Engine implements VideoEncoderEngine {
  private closed = false;
  private readonly layout;

  private constructor(
    private readonly libav: LibAVInstance,
    private readonly settings: VideoEncoderSettings,
    private readonly ctx: number,
    private readonly frame: number,
    private readonly pkt: number,
  ) {
    const { width, height } = settings;
    const cw = chromaSize(width);
    const luma = width * height;
    const chroma = cw * chromaSize(height);
    this.layout = [
      { offset: 0, stride: width },
      { offset: luma, stride: cw },
      { offset: luma + chroma, stride: cw },
    ];
  }

  static async create(settings: VideoEncoderSettings): Promise<LibavVp8Engine> {
    const libav = await workerLibav();
    const bitrate = Math.round(settings.bitrate);
    const [, ctx, frame, pkt] = libav.ff_init_encoder_sync("libvpx", {
      ctx: {
        width: settings.width,
        height: settings.height,
        pix_fmt: libav.AV_PIX_FMT_YUV420P,
        bit_rate: bitrate,
        rc_max_rate: bitrate,
        framerate_num: Math.round(settings.fps),
        framerate_den: 1,
        gop_size: Math.round(settings.fps * VP8_MAX_KEYFRAME_INTERVAL_S),
        qmin: VP8_QMIN,
        qmax: VP8_QMAX,
      },
      time_base: [1, VIDEO_RTP_CLOCK_HZ],
      options: { ...VP8_REALTIME_OPTIONS },
    }) as unknown as [number, number, number, number];
    if (!ctx) throw reactorError("INVALID_ARGUMENT", "libav.js could not open its libvpx VP8 encoder");
    return new LibavVp8Engine(libav, settings, ctx, frame, pkt);
  }

  encode(i420: Uint8Array, pts90k: number, keyframe: boolean): EncodedVp8 {
    if (this.closed) throw reactorError("ABORTED", "The VP8 encoder is closed");
    const packets = this.libav.ff_encode_multi_sync(this.ctx, this.frame, this.pkt, [
      {
        data: i420,
        format: this.libav.AV_PIX_FMT_YUV420P,
        width: this.settings.width,
        height: this.settings.height,
        layout: this.layout,
        pts: pts90k,
        pict_type: keyframe ? PICTURE_TYPE_I : 0,
        key_frame: keyframe ? 1 : 0,
      },
    ]);
    const packet = packets[0];
    if (packets.length !== 1 || !packet) {
      throw reactorError("INVALID_ARGUMENT", `libvpx returned ${packets.length} packets for one picture`);
    }
    return { data: packet.data, keyframe: ((packet.flags ?? 0) & PACKET_FLAG_KEY) !== 0 };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.libav.ff_free_encoder_sync(this.ctx, this.frame, this.pkt);
  }
}
