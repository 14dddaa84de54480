import { reactorError } from "@reactor-node/protocol";
import { vp8KeyframeSize } from "../codec/vp8.js";
import { frameByteLength } from "../frame.js";
import { type I420Planes, packI420 } from "../kernel/i420.js";
import { i420ToRgb, i420ToRgba } from "../kernel/i420-to-rgb.js";
import { createSimdI420ToRgb, type SimdI420ToRgb } from "../kernel/i420-to-rgb-simd.js";
import { BufferPool } from "./buffer-pool.js";
import { transferred } from "./comlink-expose.js";
import type {
  DecodeBatch,
  DecodedFrame,
  DecodeResult,
  DecoderApi,
  DecoderSettings,
  DecoderWorkerStats,
} from "./decoder-api.js";
import { LibavVp8Engine } from "./libav-engine.js";
import { NativeVp8Engine } from "./native-engine.js";
import type { VideoDecoderEngine } from "./video-decoder-engine.js";

/**
 * The stateful VP8 decoder of one stream, living in its worker: decodes batches with the
 * configured engine and delivers the requested frames packed (I420) or converted (RGB) into
 * pooled, transferred buffers.
 */
export class Vp8Decoder implements DecoderApi {
  private engine: VideoDecoderEngine | undefined;
  private settings: DecoderSettings = { backend: "wasm", output: "i420" };
  private readonly pool = new BufferPool();
  /** WASM SIMD128 kernel for rgb24 (several times faster than the JS one); undefined without SIMD. */
  private kernel: SimdI420ToRgb | undefined;
  /** The largest picture the current engine has been asked for, pixels. */
  private peakPixels = 0;
  private readonly counters: DecoderWorkerStats = {
    decoded: 0,
    errors: 0,
    renewals: 0,
    memoryBytes: 0,
    decodeMs: 0,
    convertMs: 0,
  };

  async init(settings: DecoderSettings): Promise<void> {
    this.settings = settings;
    if (settings.output === "rgb24") this.kernel = createSimdI420ToRgb();
    this.engine = await this.createEngine();
  }

  async decode(batch: DecodeBatch): Promise<DecodeResult> {
    if (!this.engine) throw reactorError("NOT_READY", "The decoder was used before init()");
    this.pool.give(batch.recycled);
    const frames: DecodedFrame[] = [];
    const transfers: ArrayBuffer[] = [];
    const firstDelivered = batch.frames.length - batch.deliverLast;
    let broken = false;
    let decodeMs = 0;
    let convertMs = 0;
    for (const [index, frame] of batch.frames.entries()) {
      if (broken && !frame.keyframe) {
        frames.push({ id: frame.id, status: "skipped" });
        continue;
      }
      broken = false;
      await this.fitMemory(frame.data);
      const t0 = performance.now();
      let picture: I420Planes | undefined;
      try {
        picture = this.engine.decode(frame.data);
      } catch (error) {
        broken = true;
        this.counters.errors++;
        frames.push({ id: frame.id, status: "error", message: (error as Error).message });
        continue;
      } finally {
        decodeMs += performance.now() - t0;
      }
      if (!picture) {
        frames.push({ id: frame.id, status: "noPicture" });
        continue;
      }
      this.counters.decoded++;
      const { width, height } = picture;
      if (index < firstDelivered) {
        frames.push({ id: frame.id, status: "decoded", width, height });
        continue;
      }
      const t1 = performance.now();
      const data = this.deliver(picture);
      convertMs += performance.now() - t1;
      transfers.push(data.buffer as ArrayBuffer);
      frames.push({ id: frame.id, status: "decoded", width, height, data });
    }
    this.counters.decodeMs += decodeMs;
    this.counters.convertMs += convertMs;
    this.counters.memoryBytes = this.memoryBytes();
    return transferred({ frames, decodeMs, convertMs, memoryBytes: this.counters.memoryBytes }, transfers);
  }

  stats(): DecoderWorkerStats {
    return { ...this.counters };
  }

  close(): void {
    this.engine?.close();
    this.engine = undefined;
  }

  /** The picture in the output format, in a pooled buffer. */
  private deliver(picture: I420Planes): Uint8Array {
    const { output } = this.settings;
    const out = new Uint8Array(this.pool.take(frameByteLength(output, picture.width, picture.height)));
    if (output === "rgb24") return this.kernel ? this.kernel.convert(picture, out) : i420ToRgb(picture, out);
    if (output === "rgba") return i420ToRgba(picture, out);
    return packI420(picture, out);
  }

  /**
   * Before a keyframe smaller than the largest picture so far (by its bytes: the decoder does
   * not read the caller's keyframe flag either), starts a fresh engine and kernel: WASM memory
   * never shrinks and libvpx keeps its frame buffers at the largest size, so one huge keyframe
   * would otherwise hold hundreds of MiB until the receiver closes.
   */
  private async fitMemory(data: Uint8Array): Promise<void> {
    const size = vp8KeyframeSize(data);
    if (!size) return;
    const pixels = size.width * size.height;
    if (pixels < this.peakPixels) {
      const fresh = await this.createEngine();
      this.engine?.close();
      this.engine = fresh;
      if (this.kernel) this.kernel = createSimdI420ToRgb();
      this.counters.renewals++;
      this.peakPixels = 0;
    }
    // libvpx sizes its buffers from the header, even when the rest of the frame is garbage.
    this.peakPixels = Math.max(this.peakPixels, pixels);
  }

  /** `native` loads node-av here, in the worker, never on the main thread. */
  private createEngine(): Promise<VideoDecoderEngine> {
    return this.settings.backend === "native" ? NativeVp8Engine.create() : LibavVp8Engine.create();
  }

  private memoryBytes(): number {
    return (this.engine?.memoryBytes ?? 0) + (this.kernel?.memoryBytes ?? 0) + this.pool.bytes;
  }
}
