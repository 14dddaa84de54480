import { reactorError, VIDEO_RTP_CLOCK_HZ } from "@reactor-node/protocol";
import {
  type EncodedVp8,
  type VideoEncoderEngine,
  type VideoEncoderSettings,
  VP8_MAX_KEYFRAME_INTERVAL_S,
  VP8_QMAX,
  VP8_QMIN,
  VP8_REALTIME_OPTIONS,
} from "./video-engine.js";

type NodeAvLib = typeof import("node-av/lib");
type NodeAvConstants = typeof import("node-av/constants");
type CodecContext = InstanceType<NodeAvLib["CodecContext"]>;
type Packet = InstanceType<NodeAvLib["Packet"]>;
type Frame = InstanceType<NodeAvLib["Frame"]>;

/**
 * libvpx threads. One: a 720p frame encodes in ≈3.5 ms on one core at speed 16, and libvpx's
 * VP8 row threads spin-wait on each other: with 2 threads on the loaded 2-core development
 * machine a frame took 15–60 ms of CPU (measured, bench notes in the README).
 */
const LIBVPX_THREADS = 1;

/**
 * VP8 encoding with FFmpeg's libvpx through the optional `node-av` bindings, synchronous inside
 * the encoder worker. Same libvpx settings as the wasm backend. `node-av` is imported
 * dynamically so the worker still loads where it is not installed. One picture (an AVFrame and
 * its planes) is allocated per encoder and refilled for every frame: a fresh one per frame cost
 * a 1.4 MB allocation, its page faults and a free each time.
 */
export class NativeVp8Engine implements VideoEncoderEngine {
  private closed = false;

  private constructor(
    private readonly lib: NodeAvLib,
    private readonly constants: NodeAvConstants,
    private readonly ctx: CodecContext,
    private readonly packet: Packet,
    private readonly picture: Frame,
  ) {}

  static async create(settings: VideoEncoderSettings): Promise<NativeVp8Engine> {
    let lib: NodeAvLib;
    let constants: NodeAvConstants;
    try {
      [lib, constants] = await Promise.all([import("node-av/lib"), import("node-av/constants")]);
    } catch (error) {
      throw reactorError(
        "CODEC_UNAVAILABLE",
        `The native encoder could not load "node-av": ${(error as Error).message ?? String(error)}`,
        { cause: error },
      );
    }
    if (lib.Log.getLevel() === constants.AV_LOG_INFO) lib.Log.setLevel(constants.AV_LOG_QUIET);
    const codec = lib.Codec.findEncoderByName("libvpx" as never);
    if (!codec) {
      throw reactorError("CODEC_UNAVAILABLE", "This node-av build has no libvpx VP8 encoder");
    }
    const bitrate = BigInt(Math.round(settings.bitrate));
    const ctx = new lib.CodecContext();
    ctx.allocContext3(codec);
    ctx.width = settings.width;
    ctx.height = settings.height;
    ctx.pixelFormat = constants.AV_PIX_FMT_YUV420P;
    ctx.timeBase = new lib.Rational(1, VIDEO_RTP_CLOCK_HZ);
    ctx.framerate = new lib.Rational(Math.round(settings.fps), 1);
    ctx.bitRate = bitrate;
    ctx.rcMaxRate = bitrate;
    ctx.gopSize = Math.round(settings.fps * VP8_MAX_KEYFRAME_INTERVAL_S);
    ctx.qMin = VP8_QMIN;
    ctx.qMax = VP8_QMAX;
    ctx.threadCount = LIBVPX_THREADS;
    // As context options, not an open2 dictionary: node-av frees the dictionary it was given,
    // and freeing it here too crashed the process (double free).
    for (const [key, value] of Object.entries(VP8_REALTIME_OPTIONS)) {
      if (ctx.setOption(key, value) < 0) {
        ctx.freeContext();
        throw reactorError("CODEC_UNAVAILABLE", `FFmpeg's libvpx encoder does not take ${key}=${value}`);
      }
    }
    const opened = ctx.open2Sync(codec, null);
    if (opened < 0) {
      ctx.freeContext();
      throw reactorError(
        "CODEC_UNAVAILABLE",
        `Could not open FFmpeg's libvpx encoder: ${lib.FFmpegError.strerror(opened)}`,
      );
    }
    const packet = new lib.Packet();
    packet.alloc();
    const picture = new lib.Frame();
    picture.alloc();
    picture.width = settings.width;
    picture.height = settings.height;
    picture.format = constants.AV_PIX_FMT_YUV420P;
    const got = picture.getBuffer(0);
    if (got < 0) {
      picture.free();
      packet.free();
      ctx.freeContext();
      throw reactorError(
        "CODEC_UNAVAILABLE",
        `Could not allocate the encoder's picture: ${lib.FFmpegError.strerror(got)}`,
      );
    }
    return new NativeVp8Engine(lib, constants, ctx, packet, picture);
  }

  encode(i420: Uint8Array, pts90k: number, keyframe: boolean): EncodedVp8 {
    const { lib, constants, ctx, packet, picture } = this;
    if (this.closed) throw reactorError("ABORTED", "The VP8 encoder is closed");
    // libvpx copies the picture in and drops FFmpeg's reference once the packet is out, so this
    // is writable again (makeWritable only copies if someone still holds it).
    const writable = picture.makeWritable();
    if (writable < 0)
      throw reactorError("FRAME_ENCODE_ERROR", `The encoder's picture is busy: ${lib.FFmpegError.strerror(writable)}`);
    const copied = picture.fromBuffer(Buffer.from(i420.buffer, i420.byteOffset, i420.byteLength));
    if (copied < 0)
      throw reactorError(
        "FRAME_ENCODE_ERROR",
        `The picture could not be copied in: ${lib.FFmpegError.strerror(copied)}`,
      );
    picture.pts = BigInt(pts90k);
    picture.pictType = keyframe ? constants.AV_PICTURE_TYPE_I : constants.AV_PICTURE_TYPE_NONE;
    const sent = ctx.sendFrameSync(picture);
    if (sent < 0) {
      throw reactorError("FRAME_ENCODE_ERROR", `libvpx rejected the picture: ${lib.FFmpegError.strerror(sent)}`);
    }
    const got = ctx.receivePacketSync(packet);
    if (got < 0) throw reactorError("FRAME_ENCODE_ERROR", `libvpx produced no frame: ${lib.FFmpegError.strerror(got)}`);
    const data = packet.data;
    const out = { data: data ? new Uint8Array(data) : new Uint8Array(0), keyframe: packet.isKeyframe };
    packet.unref();
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.picture.free();
    this.packet.free();
    this.ctx.freeContext();
  }
}
