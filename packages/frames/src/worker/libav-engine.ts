import LibAVWrapper from "@libav.js/variant-webm";
import { reactorError } from "@reactor-node/protocol";
import type { I420Planes } from "../kernel/i420.js";
import type { VideoDecoderEngine } from "./video-decoder-engine.js";

/** In Node libav.js runs "direct", where every function also has a synchronous `*_sync` twin. */
type LibAVInstance = LibAVWrapper.LibAV & LibAVWrapper.LibAVSync & { HEAPU8: Uint8Array };

const AVERROR_EAGAIN = -6;

/**
 * VP8 decoding with libav.js (libvpx compiled to WASM), run synchronously in this thread: in
 * Node libav.js has no worker of its own ("direct" mode), so every `*_sync` call is a plain call.
 * Planes are read straight out of the WASM heap; nothing is copied until conversion.
 */
export class LibavVp8Engine implements VideoDecoderEngine {
  private constructor(
    private readonly libav: LibAVInstance,
    private readonly ctx: number,
    private readonly pkt: number,
    private readonly frame: number,
  ) {}

  static async create(): Promise<LibavVp8Engine> {
    const libav = (await LibAVWrapper.LibAV({ noworker: true, nothreads: true })) as LibAVInstance;
    libav.av_log_set_level_sync(libav.AV_LOG_QUIET);
    // The webm variant ships libvpx only ("libvpx" is its VP8 decoder; there is no native "vp8").
    const [, ctx, pkt, frame] = libav.ff_init_decoder_sync("libvpx") as unknown as [number, number, number, number];
    return new LibavVp8Engine(libav, ctx, pkt, frame);
  }

  decode(data: Uint8Array): I420Planes | undefined {
    const { libav, ctx, pkt, frame } = this;
    libav.av_frame_unref_sync(frame);
    libav.av_packet_make_writable_sync(pkt);
    libav.ff_copyin_packet_sync(pkt, { data } as never);
    const sent = libav.avcodec_send_packet_sync(ctx, pkt);
    libav.av_packet_unref_sync(pkt);
    if (sent < 0)
      throw reactorError("FRAME_DECODE_ERROR", `VP8 decoder rejected the frame: ${libav.ff_error_sync(sent)}`);
    const got = libav.avcodec_receive_frame_sync(ctx, frame);
    if (got === AVERROR_EAGAIN) return undefined;
    if (got < 0) throw reactorError("FRAME_DECODE_ERROR", `VP8 decoder failed: ${libav.ff_error_sync(got)}`);
    const format = libav.AVFrame_format_sync(frame);
    if (format !== libav.AV_PIX_FMT_YUV420P)
      throw reactorError("FRAME_DECODE_ERROR", `VP8 decoder produced pixel format ${format}, not yuv420p`);
    const width = libav.AVFrame_width_sync(frame);
    const height = libav.AVFrame_height_sync(frame);
    const heap = libav.HEAPU8; // re-read per frame: the view is replaced when WASM memory grows
    const plane = (i: number, rows: number) => {
      const ptr = libav.AVFrame_data_a_sync(frame, i);
      const stride = libav.AVFrame_linesize_a_sync(frame, i);
      return { view: heap.subarray(ptr, ptr + stride * rows), stride };
    };
    const chromaRows = (height + 1) >> 1;
    const y = plane(0, height);
    const u = plane(1, chromaRows);
    const v = plane(2, chromaRows);
    return {
      width,
      height,
      y: y.view,
      u: u.view,
      v: v.view,
      yStride: y.stride,
      uStride: u.stride,
      vStride: v.stride,
    };
  }

  /** The WASM heap: it grows to the largest picture decoded and never shrinks. */
  get memoryBytes(): number {
    return this.libav.HEAPU8.length;
  }

  close(): void {
    this.libav.ff_free_decoder_sync(this.ctx, this.pkt, this.frame);
    this.libav.terminate();
  }
}
