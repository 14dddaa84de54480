/** Packets held ahead of a gap, at most; a packet further ahead than this gives up on the oldest gaps. */
export const REORDER_WINDOW_PACKETS = 1024;

const SEQ_MASK = 0xffff;
/** Half the 16-bit sequence space: a packet this far "ahead" or more is behind the stream. */
const SEQ_HALF_RANGE = 0x8000;

/** Options for {@link ReorderBuffer}. */
export interface ReorderBufferOptions<T> {
  /**
   * How long to wait for a missing packet, in RTP clock ticks: a gap is declared lost once a packet
   * arrives whose timestamp is this much newer than the first packet held behind the gap. Measured
   * on the packets' own clock (as werift's jitter buffer does), so there is no timer: a gap is only
   * resolved when later packets arrive.
   */
  maxWaitTicks: number;
  /** Called with every packet, in sequence order, each sequence number at most once. */
  onPacket: (packet: T) => void;
  /** Called when `from..to` (inclusive, may wrap) will never be released, before the packets after the gap. */
  onLoss: (from: number, to: number) => void;
}

/**
 * Puts RTP packets back into sequence-number order (16-bit, wrapping). Duplicates and packets that
 * arrive after their place was released or given up are discarded. Unlike werift 0.25.2's
 * `JitterBufferBase`, giving up on a gap releases every packet already held behind it (werift moves
 * its cursor to the incoming packet and silently drops what it held in between).
 */
export class ReorderBuffer<T> {
  private readonly slots: (T | undefined)[] = new Array(REORDER_WINDOW_PACKETS);
  private readonly stamps = new Uint32Array(REORDER_WINDOW_PACKETS);
  /** Next sequence number to release; undefined until the first packet. */
  private next: number | undefined;
  private newest = 0;
  private held = 0;
  /** Packets discarded as duplicates or as arriving behind the stream. */
  discarded = 0;

  constructor(private readonly options: ReorderBufferOptions<T>) {}

  /** Packets waiting behind a gap. */
  get pending(): number {
    return this.held;
  }

  push(seq: number, timestamp: number, packet: T): void {
    if (this.next === undefined) {
      this.next = seq;
      this.newest = timestamp;
    }
    let ahead = (seq - this.next) & SEQ_MASK;
    if (ahead >= SEQ_HALF_RANGE) {
      this.discarded++;
      return;
    }
    if (ahead >= REORDER_WINDOW_PACKETS) {
      // Too far ahead to hold: give up on the gaps that must leave the window to make room.
      this.giveUpUntil((seq - REORDER_WINDOW_PACKETS + 1) & SEQ_MASK);
      ahead = (seq - this.next) & SEQ_MASK;
    }
    if (((timestamp - this.newest) | 0) > 0) this.newest = timestamp;
    if (ahead === 0) {
      this.next = (seq + 1) & SEQ_MASK;
      this.options.onPacket(packet);
      this.drain();
    } else {
      const slot = seq & (REORDER_WINDOW_PACKETS - 1);
      if (this.slots[slot] !== undefined) {
        this.discarded++;
        return;
      }
      this.slots[slot] = packet;
      this.stamps[slot] = timestamp;
      this.held++;
    }
    this.expire();
  }

  /** Drops everything held (without reporting loss); the next packet starts a new sequence. */
  reset(): void {
    this.slots.fill(undefined);
    this.held = 0;
    this.next = undefined;
  }

  /** Releases the packets that follow `next` without a gap. */
  private drain(): void {
    while (this.held > 0) {
      const slot = this.next! & (REORDER_WINDOW_PACKETS - 1);
      const packet = this.slots[slot];
      if (packet === undefined) return;
      this.slots[slot] = undefined;
      this.held--;
      this.next = (this.next! + 1) & SEQ_MASK;
      this.options.onPacket(packet);
    }
  }

  /** Gives up on every gap whose first held successor has waited longer than `maxWaitTicks`. */
  private expire(): void {
    while (this.held > 0) {
      const first = this.firstHeld();
      const waited = (this.newest - this.stamps[first & (REORDER_WINDOW_PACKETS - 1)]!) | 0;
      if (waited <= this.options.maxWaitTicks) return;
      this.skipGap(first);
    }
  }

  /** Releases or gives up on everything before `target`, then continues from it. */
  private giveUpUntil(target: number): void {
    while (this.held > 0) {
      const first = this.firstHeld();
      if (((first - target) & SEQ_MASK) < SEQ_HALF_RANGE) break; // first held is at or after target
      this.skipGap(first);
    }
    if (this.next !== target && ((target - this.next!) & SEQ_MASK) < SEQ_HALF_RANGE) {
      this.options.onLoss(this.next!, (target - 1) & SEQ_MASK);
      this.next = target;
      this.drain();
    }
  }

  /** Declares `next..first-1` lost and releases from `first` on. */
  private skipGap(first: number): void {
    if (first !== this.next) this.options.onLoss(this.next!, (first - 1) & SEQ_MASK);
    this.next = first;
    this.drain();
  }

  /** Sequence number of the oldest held packet (requires `held > 0`). */
  private firstHeld(): number {
    let seq = this.next!;
    while (this.slots[seq & (REORDER_WINDOW_PACKETS - 1)] === undefined) seq = (seq + 1) & SEQ_MASK;
    return seq;
  }
}
