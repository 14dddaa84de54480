/** Packets held ahead of a gap, at most; a packet further ahead than this does not fit the stream. */
export const REORDER_WINDOW_PACKETS = 1024;

const SEQ_MASK = 0xffff;
/** Half the 16-bit sequence space: a packet this far "ahead" or more is behind the stream. */
const SEQ_HALF_RANGE = 0x8000;

/** Why the buffer started over on a new sequence. */
export type ResyncReason = "ssrc" | "jump";

/** Options for {@link ReorderBuffer}. */
export interface ReorderBufferOptions<T> {
  /**
   * How long to wait for a missing packet, in RTP clock ticks: a gap is declared lost once a packet
   * arrives whose timestamp is this much newer than the first packet held behind it. Measured
   * on the packets' own clock (as werift's jitter buffer does), so there is no timer: a gap is only
   * resolved when later packets arrive.
   */
  maxWaitTicks: number;
  /**
   * A packet whose timestamp is further than this from the newest one, in RTP clock ticks, does not
   * fit the stream (garbage, or a sender that restarted or paused for long).
   */
  maxJumpTicks: number;
  /** Called with every packet, in sequence order, each sequence number at most once. */
  onPacket: (packet: T) => void;
  /** Called when `from..to` (inclusive, may wrap) will never be released, before the packets after the gap. */
  onLoss: (from: number, to: number) => void;
  /**
   * Called when the buffer starts over on a new sequence (a sender restart, an SSRC change), before
   * the new sequence's first packet is released. `dropped`: packets of the old sequence that were
   * held behind a gap and are discarded.
   */
  onResync: (reason: ResyncReason, dropped: number) => void;
}

/**
 * Puts RTP packets back into sequence-number order (16-bit, wrapping). Duplicates and packets that
 * arrive after their place was released or given up are discarded. Unlike werift 0.25.2's
 * `JitterBufferBase`, giving up on a gap releases every packet already held behind it (werift moves
 * its cursor to the incoming packet and silently drops what it held in between).
 *
 * A packet that does not fit the stream (another SSRC, a sequence number more than
 * {@link REORDER_WINDOW_PACKETS} away from the furthest one accepted, or a timestamp more than
 * `maxJumpTicks` from the newest) is put on probation, as RFC 3550 A.1 does: when the very next
 * packet continues it (same SSRC, next sequence number, a near timestamp) the source restarted,
 * and the buffer resynchronises on it; otherwise it was garbage and is discarded. A single stray
 * packet therefore never moves the stream, and a real restart costs nothing but the held packets.
 */
export class ReorderBuffer<T> {
  private readonly slots: (T | undefined)[] = new Array(REORDER_WINDOW_PACKETS);
  private readonly stamps = new Uint32Array(REORDER_WINDOW_PACKETS);
  /** Next sequence number to release; undefined until the first packet. */
  private next: number | undefined;
  private ssrc = 0;
  /** The furthest sequence number accepted into the stream (released or held). */
  private highest = 0;
  private newest = 0;
  private held = 0;
  /** The last packet that did not fit the stream, waiting for its successor to confirm a new sequence. */
  private probation: { ssrc: number; seq: number; timestamp: number; packet: T } | undefined;
  /**
   * Packets discarded: duplicates, packets behind the stream, packets that did not fit the stream
   * and were not confirmed as a new sequence, and held packets dropped by a resync.
   */
  discarded = 0;

  constructor(private readonly options: ReorderBufferOptions<T>) {}

  /** Packets waiting behind a gap. */
  get pending(): number {
    return this.held;
  }

  push(seq: number, timestamp: number, packet: T, ssrc = 0): void {
    if (this.next === undefined) this.start(ssrc, seq, timestamp);
    const fromHighest = (seq - this.highest) & SEQ_MASK;
    const fits =
      ssrc === this.ssrc &&
      (fromHighest <= REORDER_WINDOW_PACKETS || fromHighest >= SEQ_MASK - REORDER_WINDOW_PACKETS) &&
      this.near(timestamp, this.newest);
    if (!fits) {
      this.onStranger(ssrc, seq, timestamp, packet);
      return;
    }
    if (this.probation) {
      // Not continued by the very next packet: it was not a new stream.
      this.probation = undefined;
      this.discarded++;
    }
    let ahead = (seq - this.next!) & SEQ_MASK;
    if (ahead >= SEQ_HALF_RANGE) {
      this.discarded++; // late (its place was released or given up) or a duplicate
      return;
    }
    if (ahead >= REORDER_WINDOW_PACKETS) {
      // Too far ahead of the oldest gap to hold: give up on the gaps that must leave the window.
      this.giveUpUntil((seq - REORDER_WINDOW_PACKETS + 1) & SEQ_MASK);
      ahead = (seq - this.next!) & SEQ_MASK;
    }
    if (fromHighest < SEQ_HALF_RANGE) this.highest = seq;
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
    this.probation = undefined;
  }

  private start(ssrc: number, seq: number, timestamp: number): void {
    this.ssrc = ssrc;
    this.next = seq;
    this.highest = seq;
    this.newest = timestamp;
  }

  /** A packet that does not fit the stream: confirms the one on probation, or takes its place. */
  private onStranger(ssrc: number, seq: number, timestamp: number, packet: T): void {
    const candidate = this.probation;
    if (
      candidate &&
      candidate.ssrc === ssrc &&
      ((candidate.seq + 1) & SEQ_MASK) === seq &&
      this.near(timestamp, candidate.timestamp)
    ) {
      this.probation = undefined;
      const dropped = this.held;
      this.discarded += dropped;
      const reason: ResyncReason = ssrc === this.ssrc ? "jump" : "ssrc";
      this.slots.fill(undefined);
      this.held = 0;
      this.start(ssrc, candidate.seq, candidate.timestamp);
      this.options.onResync(reason, dropped);
      this.push(candidate.seq, candidate.timestamp, candidate.packet, ssrc);
      this.push(seq, timestamp, packet, ssrc);
      return;
    }
    if (candidate) this.discarded++;
    this.probation = { ssrc, seq, timestamp, packet };
  }

  /** Whether two 32-bit RTP timestamps are within `maxJumpTicks` of each other (wrap-aware). */
  private near(a: number, b: number): boolean {
    return Math.abs((a - b) | 0) <= this.options.maxJumpTicks;
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
