import { FRAME_BITS } from "./layout.js";

/**
 * Frames in one pre-encoded loop. The picture embeds `n mod LOOP_FRAMES`, the loop is encoded
 * once per (size, fps, state) and replayed by every session, and receivers unwrap the modular
 * numbers with {@link FrameNumberUnwrapper}.
 */
export const LOOP_FRAMES = 2 ** FRAME_BITS;

/**
 * Turns an embedded frame number (mod {@link LOOP_FRAMES}) into a monotonic count, given the
 * previous unwrapped count (`undefined` for the first frame). Assumes fewer than
 * LOOP_FRAMES / 2 frames are lost or reordered between two readings; a reading that steps
 * backwards by less than that returns a smaller count (a reorder), otherwise it steps forward.
 */
export function unwrapFrameNumber(embedded: number, previous: number | undefined): number {
  if (previous === undefined) return embedded;
  const half = LOOP_FRAMES / 2;
  let delta = (embedded - (previous % LOOP_FRAMES) + LOOP_FRAMES) % LOOP_FRAMES;
  if (delta >= half) delta -= LOOP_FRAMES;
  return previous + delta;
}

/** A stateful {@link unwrapFrameNumber} that also counts lost, repeated and reordered frames. */
export class FrameNumberUnwrapper {
  /** The highest unwrapped count seen, or `undefined` before the first frame. */
  last: number | undefined;
  /** Frames skipped over (gaps in the sequence). */
  lost = 0;
  /** Frames whose number did not advance past the highest one seen (repeats and late arrivals). */
  outOfOrder = 0;
  /** Frames pushed. */
  count = 0;

  /** Unwraps one embedded frame number and updates the counters; returns the monotonic count. */
  push(embedded: number): number {
    const n = unwrapFrameNumber(embedded, this.last);
    this.count++;
    if (this.last === undefined || n > this.last) {
      if (this.last !== undefined) this.lost += n - this.last - 1;
      this.last = n;
    } else {
      this.outOfOrder++;
    }
    return n;
  }
}
