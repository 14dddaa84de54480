import { reactorError } from "@reactor-node/protocol";
import { vp8KeyframeSize } from "../codec/vp8.js";
import { frameByteLength } from "../frame.js";
import { type I420Planes, packI420 } from "../kernel/i420.js";
import { i420ToRgb, i420ToRgba } from "../kernel/i420-to-rgb.js";
import { createSimdI420ToRgb, type SimdI420ToRgb } from "../kernel/i420-to-rgb-simd.js";
import { BufferPool } from "./buffer-pool.js";
import { transferred } from "./comlink-expose.js";
import { type DecodeReply, packReply } from "./decode-reply.js";
import type { DecodeBatch, DecodedFrame, DecoderApi, DecoderSettings, DecoderWorkerStats } from "./decoder-api.js";
import { type FrameSlot, FrameSlots } from "./frame-slots.js";
import { LibavVp8Engine } from "./libav-engine.js";
import { NativeVp8Engine } from "./native-engine.js";
import type { VideoDecoderEngine } from "./video-decoder-engine.js";

/**
 * The stateful VP8 decoder of one stream, living in its worker: decodes batches with the
 * configured engine and delivers the requested frames packed (I420) or converted (RGB) into
 * slots of its shared frame memory (see FrameSlots), or pooled, transferred buffers when none is free.
 */
export class Vp8Decoder implements DecoderApi {
  private engine: VideoDecoderEngine | undefined;
  private settings: DecoderSettings = { backend: "wasm", output: "i420" };
  /** Buffers for frames that found no free slot (transferred out, handed back by the main thread). */
  private readonly pool = new BufferPool();
  /** Where delivered frames are written (and, for rgb24, the SIMD kernel working on that memory). */
  private slots!: FrameSlots; // set by init()
  /** SIMD kernel for frames that found no free slot (own memory); null without SIMD. */
  private fallbackKernel: SimdI420ToRgb | null | undefined;
  /** Earlier memories whose growth in this batch the main thread has yet to see. */
  private memories: FrameSlots[] = [];
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
    this.slots = new FrameSlots(1, settings.output === "rgb24");
    this.engine = await this.createEngine();
  }

  async decode(batch: DecodeBatch): Promise<DecodeReply> {
    if (!this.engine) throw reactorError("NOT_READY", "The decoder was used before init()");
    this.pool.give(batch.recycled);
    for (const { memory, index } of batch.released) if (memory === this.slots.id) this.slots.release(index);
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
      const out = this.deliver(picture);
      convertMs += performance.now() - t1;
      if (out instanceof Uint8Array) {
        transfers.push(out.buffer as ArrayBuffer);
        frames.push({ id: frame.id, status: "decoded", width, height, data: out });
      } else frames.push({ id: frame.id, status: "decoded", width, height, slot: out });
    }
    this.counters.decodeMs += decodeMs;
    this.counters.convertMs += convertMs;
    this.counters.memoryBytes = this.memoryBytes();
    const memories = [];
    for (const slots of this.memories.splice(0).concat(this.slots)) {
      const buffer = slots.unsentBuffer();
      if (buffer) memories.push({ id: slots.id, buffer });
    }
    const reply = packReply({ frames, decodeMs, convertMs, memoryBytes: this.counters.memoryBytes, memories });
    transfers.push(reply.table.buffer as ArrayBuffer);
    return transferred(reply, transfers);
  }

  stats(): DecoderWorkerStats {
    return { ...this.counters };
  }

  close(): void {
    this.engine?.close();
    this.engine = undefined;
  }

  /**
   * The picture in the output format, written into a free slot of the frame memory, or (every slot
   * out: the consumer keeps frames without releasing them) into a pooled buffer to transfer.
   */
  private deliver(picture: I420Planes): FrameSlot | Uint8Array {
    const { output } = this.settings;
    const bytes = frameByteLength(output, picture.width, picture.height);
    const inputBytes = output === "rgb24" ? (this.slots.kernel?.inputBytes(picture) ?? 0) : 0;
    if (!this.slots.fits(inputBytes, bytes)) {
      // Slots of the old layout are still out: a new memory (the old one is freed with the last view).
      this.renewSlots();
      this.slots.fits(inputBytes, bytes);
    }
    const kernel = output === "rgb24" ? this.slots.kernel : undefined;
    const slot = this.slots.take(bytes);
    if (!slot) return this.write(picture, new Uint8Array(this.pool.take(bytes)));
    if (kernel) kernel.convertAt(picture, slot.offset);
    else this.write(picture, this.slots.view(slot));
    return slot;
  }

  private write(picture: I420Planes, out: Uint8Array): Uint8Array {
    const { output } = this.settings;
    if (output === "rgb24") {
      // Not the slots' kernel: its scratch output would land on a slot that is out.
      this.fallbackKernel ??= createSimdI420ToRgb() ?? null;
      return this.fallbackKernel ? this.fallbackKernel.convert(picture, out) : i420ToRgb(picture, out);
    }
    if (output === "rgba") return i420ToRgba(picture, out);
    return packI420(picture, out);
  }

  private renewSlots(): void {
    this.memories.push(this.slots);
    this.slots = new FrameSlots(this.slots.id + 1, this.settings.output === "rgb24");
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
      // The frame memory never shrinks either: a fresh one (frames still out keep the old one alive).
      this.renewSlots();
      this.fallbackKernel = undefined;
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
    return (this.engine?.memoryBytes ?? 0) + this.slots.bytes + this.pool.bytes;
  }
}
