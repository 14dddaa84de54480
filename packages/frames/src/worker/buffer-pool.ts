/** How many spare output buffers a worker keeps for reuse. */
const BUFFER_POOL_MAX = 8;

/**
 * A small pool of same-size ArrayBuffers (buffers of another size are dropped on the next `take`). A 720p RGB frame is 2.7 MB; reusing the buffers the
 * consumer handed back avoids allocating (and zero-filling) one per frame.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  constructor(private readonly max: number = BUFFER_POOL_MAX) {}

  /**
   * A buffer of exactly `size` bytes: a pooled one when available, else a new one. The most
   * recently returned one first: it is the likeliest to still be in cache, and writing a frame into
   * a cold 2.7 MB buffer costs the 720p conversion measurably more.
   */
  take(size: number): ArrayBuffer {
    // After a size change the other sizes are never taken again: let them go.
    if (this.free.some((b) => b.byteLength !== size)) {
      const same = this.free.filter((b) => b.byteLength === size);
      this.free.length = 0;
      this.free.push(...same);
    }
    const index = this.free.findLastIndex((b) => b.byteLength === size);
    if (index >= 0) return this.free.splice(index, 1)[0]!;
    return new ArrayBuffer(size);
  }

  /** Returns buffers to the pool; detached or surplus ones are discarded. */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (buffer.byteLength === 0) continue;
      if (this.free.length >= this.max) this.free.shift();
      this.free.push(buffer);
    }
  }

  /** Bytes currently pooled. */
  get bytes(): number {
    return this.free.reduce((sum, b) => sum + b.byteLength, 0);
  }

  /** Buffers currently pooled. */
  get size(): number {
    return this.free.length;
  }
}
