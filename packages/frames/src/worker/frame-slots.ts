import {
  createSharedMemory,
  createSimdKernel,
  type SimdKernelInMemory,
  type WasmMemory,
} from "../kernel/i420-to-rgb-simd.js";

/**
 * Output slots one decoder memory holds at most. A slot comes back when the consumer releases its
 * frame (or the receiver drops it); with every slot out, frames are copied into pooled buffers.
 */
export const MAX_FRAME_SLOTS = 12;

/** Where a delivered frame lies: slot `index` of decoder memory `memory`, `bytes` from `offset`. */
export interface FrameSlot {
  memory: number;
  index: number;
  offset: number;
  bytes: number;
}

/** A slot handed back by the main thread. */
export interface SlotRef {
  memory: number;
  index: number;
}

/**
 * The decoder worker's frame memory: one shared WebAssembly memory (its buffer a
 * SharedArrayBuffer the main thread also holds) laid out as the kernel's input planes followed by
 * equal output slots. The SIMD kernel writes RGB straight into a slot and other formats are written
 * there by JS, so a decoded frame reaches its consumer without a copy out or a transfer: only the
 * slot's number crosses threads. A slot is reused once it is released; a layout change while
 * slots are out starts a new memory (the consumers' views keep the old one alive until dropped).
 */
export class FrameSlots {
  /** The SIMD kernel on this memory (rgb24 only; undefined without WebAssembly SIMD). */
  readonly kernel: SimdKernelInMemory | undefined;
  private readonly memory: WasmMemory;
  private base = 0;
  private slotBytes = 0;
  private laidOut = 0;
  private readonly free: number[] = [];
  private readonly out = new Set<number>();
  private sentBytes = 0;

  constructor(
    readonly id: number,
    withKernel: boolean,
  ) {
    this.memory = createSharedMemory();
    this.kernel = withKernel ? createSimdKernel(this.memory) : undefined;
  }

  /** Bytes of the memory (it only grows). */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** The memory's buffer when the main thread has not seen it at this length yet (it grew). */
  unsentBuffer(): SharedArrayBuffer | undefined {
    const buffer = this.memory.buffer as SharedArrayBuffer;
    if (buffer.byteLength === this.sentBytes) return undefined;
    this.sentBytes = buffer.byteLength;
    return buffer;
  }

  /**
   * True when frames of `bytes` after `inputBytes` of kernel input fit the current layout, or it
   * can be changed in place (no slot out). False: start a new memory.
   */
  fits(inputBytes: number, bytes: number): boolean {
    if (inputBytes <= this.base && align16(bytes) === this.slotBytes) return true;
    if (this.out.size > 0) return false;
    this.base = align16(inputBytes);
    this.slotBytes = align16(bytes);
    this.laidOut = 0;
    this.free.length = 0;
    return true;
  }

  /** A free slot (call {@link fits} first), or undefined when every slot is out or memory ran out. */
  take(bytes: number): FrameSlot | undefined {
    let index = this.free.pop();
    if (index === undefined) {
      if (this.laidOut >= MAX_FRAME_SLOTS) return undefined;
      if (!this.reserve(this.laidOut + 1)) return undefined;
      index = this.laidOut++;
    }
    this.out.add(index);
    return { memory: this.id, index, offset: this.offsetOf(index), bytes };
  }

  /** A view of a slot's bytes. */
  view(slot: FrameSlot): Uint8Array {
    return new Uint8Array(this.memory.buffer, slot.offset, slot.bytes);
  }

  /** Takes back a slot the consumer is done with (unknown or not-out slots are ignored). */
  release(index: number): void {
    if (this.out.delete(index)) this.free.push(index);
  }

  private offsetOf(index: number): number {
    return this.base + index * this.slotBytes;
  }

  private reserve(slots: number): boolean {
    const needed = this.offsetOf(slots);
    const have = this.memory.buffer.byteLength;
    if (have >= needed) return true;
    try {
      this.memory.grow(Math.ceil((needed - have) / 65_536));
      return true;
    } catch {
      return false; // over the memory's maximum
    }
  }
}

function align16(n: number): number {
  return (n + 15) & ~15;
}
