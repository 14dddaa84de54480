import type { DecodedFrame, DecodeResult } from "../worker/decoder-api.js";
import type { SlotRef } from "../worker/frame-slots.js";

/** Spare buffers kept for reuse per list (decoder fallbacks, pool RGB outputs). */
const MAX_SPARE_BUFFERS = 8;

interface SlotOwner extends SlotRef {
  /** The decoder worker the slot belongs to (a restarted worker starts its memories over). */
  generation: number;
}

/**
 * Who owns the pixel memory of one receiver's frames, on the main thread. Most frames are views of
 * a slot of the decoder worker's shared frame memory: releasing one hands its slot number back
 * with the next decode batch, and nothing is copied or transferred. Frames that found no free slot
 * arrive in transferred buffers, which go back to the decoder (or, for RGB the conversion pool
 * wrote, to the pool's next task) for reuse.
 */
export class FrameBuffers {
  private readonly memories = new Map<number, SharedArrayBuffer>();
  private readonly slotOf = new WeakMap<Uint8Array, SlotOwner>();
  private generation = 0;
  private released: SlotRef[] = [];
  /** Transferred decoder outputs to hand back (RGB, or I420 when the pool converts). */
  private recycled: ArrayBuffer[] = [];
  /** Transferred RGB buffers for the conversion pool to write into. */
  private readonly spares: ArrayBuffer[] = [];
  private closed = false;

  /** Records the memories a decode result announces (before reading its frames). */
  adopt(result: DecodeResult): void {
    for (const { id, buffer } of result.memories) this.memories.set(id, buffer);
  }

  /** The pixels of a delivered frame of a decode result. */
  pixels(frame: Extract<DecodedFrame, { status: "decoded" }>): Uint8Array | undefined {
    if (frame.data) return frame.data;
    const slot = frame.slot;
    if (!slot) return undefined;
    const buffer = this.memories.get(slot.memory);
    if (!buffer) return undefined;
    // Older memories are let go: the frames still viewing them keep them alive.
    for (const id of this.memories.keys()) if (id < slot.memory) this.memories.delete(id);
    const view = new Uint8Array(buffer, slot.offset, slot.bytes);
    this.slotOf.set(view, { memory: slot.memory, index: slot.index, generation: this.generation });
    return view;
  }

  /** The decoder worker was replaced: its memories (and slots still out) are gone. */
  workerReplaced(): void {
    this.generation++;
    this.memories.clear();
    this.released = [];
    this.recycled = [];
  }

  /**
   * `data` is free again: its slot goes back to the decoder, a transferred buffer to the decoder
   * (`decoder`) or to the conversion pool's writers (`rgb`). Idempotent.
   */
  giveBack(data: Uint8Array, to: "decoder" | "rgb"): void {
    if (this.closed) return;
    const slot = this.slotOf.get(data);
    if (slot) {
      this.slotOf.delete(data);
      if (slot.generation === this.generation) this.released.push({ memory: slot.memory, index: slot.index });
      return;
    }
    if (data.buffer instanceof SharedArrayBuffer) return;
    const buffer = data.buffer as ArrayBuffer;
    const list = to === "rgb" ? this.spares : this.recycled;
    if (buffer.byteLength === 0 || list.length >= MAX_SPARE_BUFFERS || list.includes(buffer)) return;
    list.push(buffer);
  }

  /** What the next decode batch hands back to the worker. */
  takeForBatch(): { recycled: ArrayBuffer[]; released: SlotRef[] } {
    const recycled = this.recycled.filter((b) => b.byteLength > 0);
    const released = this.released;
    this.recycled = [];
    this.released = [];
    return { recycled, released };
  }

  /** A spare RGB buffer of exactly `bytes`, if one was released (others, of an old size, are let go). */
  takeSpare(bytes: number): ArrayBuffer | undefined {
    const spares = this.spares;
    const index = spares.findLastIndex((b) => b.byteLength === bytes);
    const found = index >= 0 ? spares.splice(index, 1)[0] : undefined;
    if (spares.some((b) => b.byteLength !== bytes))
      spares.splice(0, spares.length, ...spares.filter((b) => b.byteLength === bytes));
    return found;
  }

  /** Lets everything go. */
  close(): void {
    this.closed = true;
    this.memories.clear();
    this.released = [];
    this.recycled = [];
    this.spares.length = 0;
  }
}
