import { reactorError } from "@reactor-node/protocol";
import type { I420Planes } from "../kernel/i420.js";
import type { VideoDecoderEngine } from "./video-decoder-engine.js";

type NodeAvLib = typeof import("node-av/lib");
type NodeAvConstants = typeof import("node-av/constants");
type CodecContext = InstanceType<NodeAvLib["CodecContext"]>;
type Packet = InstanceType<NodeAvLib["Packet"]>;
type Frame = InstanceType<NodeAvLib["Frame"]>;

/**
 * Decoder threads inside FFmpeg. One: frame threading would hold pictures back by a frame per
 * extra thread (latency, and `decode` would stop being one picture per keyframe/delta), and a
 * 720p VP8 frame decodes in about 1.3 ms on one core, far above the stream rate.
 */
const FFMPEG_DECODER_THREADS = 1;

/**
 * VP8 decoding with FFmpeg's own `vp8` decoder through the optional `node-av` bindings, called
 * synchronously in this (the decoder worker's) thread. Each picture is copied (`av_frame_copy`, in
 * native code) into one staging frame kept per size, whose planes node-av hands out as the same
 * Buffers every time: reading a decoded frame's own planes makes node-av wrap them in new external
 * Buffers, reported to V8 as 1.4 MB of external memory per 720p frame, which cost more (wrapping
 * plus the garbage collections it set off) than the copy. The worker converts the planes with the
 * same kernels as the wasm backend, so both backends give the same pixels for the same stream (VP8
 * decoding is bit-exact).
 *
 * `node-av` is loaded with a dynamic import so the worker entry still loads when it is absent.
 */
export class NativeVp8Engine implements VideoDecoderEngine {
  private closed = false;
  private staging: Frame | undefined;
  private planes: I420Planes | undefined;

  private constructor(
    private readonly lib: NodeAvLib,
    private readonly constants: NodeAvConstants,
    private readonly ctx: CodecContext,
    private readonly packet: Packet,
    private readonly frame: Frame,
  ) {}

  static async create(): Promise<NativeVp8Engine> {
    let lib: NodeAvLib;
    let constants: NodeAvConstants;
    try {
      [lib, constants] = await Promise.all([import("node-av/lib"), import("node-av/constants")]);
    } catch (error) {
      throw reactorError(
        "CODEC_UNAVAILABLE",
        `The native decoder could not load "node-av": ${(error as Error).message ?? String(error)}`,
        { cause: error },
      );
    }
    // FFmpeg's log level is process-wide: only silence it when nobody has set it (INFO is
    // FFmpeg's default), so a user who turned node-av logging on keeps it.
    if (lib.Log.getLevel() === constants.AV_LOG_INFO) lib.Log.setLevel(constants.AV_LOG_QUIET);
    const codec = lib.Codec.findDecoder(constants.AV_CODEC_ID_VP8);
    if (!codec) throw reactorError("CODEC_UNAVAILABLE", "This node-av build has no VP8 decoder");
    const ctx = new lib.CodecContext();
    ctx.allocContext3(codec);
    ctx.threadCount = FFMPEG_DECODER_THREADS;
    const opened = ctx.open2Sync(codec, null);
    if (opened < 0) {
      ctx.freeContext();
      throw reactorError(
        "CODEC_UNAVAILABLE",
        `Could not open FFmpeg's VP8 decoder: ${lib.FFmpegError.strerror(opened)}`,
      );
    }
    const packet = new lib.Packet();
    packet.alloc();
    const frame = new lib.Frame();
    frame.alloc();
    return new NativeVp8Engine(lib, constants, ctx, packet, frame);
  }

  decode(data: Uint8Array): I420Planes | undefined {
    const { lib, constants, ctx, packet, frame } = this;
    if (this.closed) throw reactorError("FRAME_DECODE_ERROR", "The native VP8 decoder is closed");
    // The setter copies the bytes into an FFmpeg-owned packet buffer.
    packet.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const sent = ctx.sendPacketSync(packet);
    packet.unref();
    if (sent < 0)
      throw reactorError("FRAME_DECODE_ERROR", `VP8 decoder rejected the frame: ${lib.FFmpegError.strerror(sent)}`);
    // receiveFrame unrefs the previous picture first, which is what ends the last views' validity.
    const got = ctx.receiveFrameSync(frame);
    if (got === constants.AVERROR_EAGAIN) return undefined;
    if (got < 0) throw reactorError("FRAME_DECODE_ERROR", `VP8 decoder failed: ${lib.FFmpegError.strerror(got)}`);
    if (frame.format !== constants.AV_PIX_FMT_YUV420P)
      throw reactorError("FRAME_DECODE_ERROR", `VP8 decoder produced pixel format ${frame.format}, not yuv420p`);
    const planes = this.stagingFor(frame.width, frame.height);
    const copied = this.staging!.copy(frame);
    if (copied < 0)
      throw reactorError(
        "FRAME_DECODE_ERROR",
        `Could not copy the decoded picture: ${lib.FFmpegError.strerror(copied)}`,
      );
    return planes;
  }

  /** The staging frame for this size and its planes (allocated on the first picture and on a size change). */
  private stagingFor(width: number, height: number): I420Planes {
    if (this.planes && this.planes.width === width && this.planes.height === height) return this.planes;
    this.staging?.free();
    const staging = new this.lib.Frame();
    staging.alloc();
    staging.width = width;
    staging.height = height;
    staging.format = this.constants.AV_PIX_FMT_YUV420P;
    this.staging = staging;
    this.planes = undefined;
    const got = staging.getBuffer(0);
    if (got < 0)
      throw reactorError(
        "FRAME_DECODE_ERROR",
        `Could not allocate a ${width}×${height} picture: ${this.lib.FFmpegError.strerror(got)}`,
      );
    const [y, u, v] = staging.data ?? [];
    const [yStride = 0, uStride = 0, vStride = 0] = staging.linesize;
    if (!y || !u || !v) throw reactorError("FRAME_DECODE_ERROR", "The staging picture has no planes");
    this.planes = { width, height, y, u, v, yStride, uStride, vStride };
    return this.planes;
  }

  /** FFmpeg's buffers live outside the JS heap and are not measured. */
  readonly memoryBytes = 0;

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.staging?.free();
    this.frame.free();
    this.packet.free();
    this.ctx.freeContext();
  }
}
