import { describe, expect, it } from "vitest";
import { REORDER_WINDOW_PACKETS, ReorderBuffer } from "../src/rtp/reorder-buffer.js";

const WAIT = 9000; // ticks (100 ms at 90 kHz)
const JUMP = 5_400_000; // ticks (60 s at 90 kHz)

type Event = number | `lost ${number}..${number}` | `resync ${string} ${number}`;

/** A buffer whose packets are their own sequence numbers; records releases and losses in order. */
function harness() {
  const events: Event[] = [];
  const buffer = new ReorderBuffer<number>({
    maxWaitTicks: WAIT,
    maxJumpTicks: JUMP,
    onPacket: (seq) => events.push(seq),
    onLoss: (from, to) => events.push(`lost ${from}..${to}`),
    onResync: (reason, dropped) => events.push(`resync ${reason} ${dropped}`),
  });
  const push = (seq: number, ts = 0, ssrc = 0) => buffer.push(seq, ts, seq, ssrc);
  return { events, buffer, push };
}

describe("ReorderBuffer (RTP sequence order)", () => {
  it("releases in-order packets immediately", () => {
    const { events, push, buffer } = harness();
    for (const s of [10, 11, 12]) push(s);
    expect(events).toEqual([10, 11, 12]);
    expect(buffer.pending).toBe(0);
  });

  it("puts reordered packets back in order, across the 16-bit wrap", () => {
    const { events, push, buffer } = harness();
    for (const s of [65_533, 65_535, 65_534, 1, 0, 3, 2]) push(s);
    expect(events).toEqual([65_533, 65_534, 65_535, 0, 1, 2, 3]);
    expect(buffer.pending).toBe(0);
    expect(buffer.discarded).toBe(0);
  });

  it("discards duplicates, both of released and of held packets", () => {
    const { events, push, buffer } = harness();
    for (const s of [5, 5, 7, 7, 6, 6, 5]) push(s);
    expect(events).toEqual([5, 6, 7]);
    expect(buffer.discarded).toBe(4);
  });

  it("waits for a gap within the latency, then reports it lost and releases everything held behind it", () => {
    const { events, push } = harness();
    push(100, 0);
    // 101 and 102 are lost; 103..107 arrive within the wait (werift 0.25.2 dropped 103..106 here).
    for (let s = 103; s <= 107; s++) push(s, (s - 103) * 2000);
    expect(events).toEqual([100]);
    push(108, WAIT + 1); // the first held packet (103, ts 0) has now waited longer than WAIT
    expect(events).toEqual([100, "lost 101..102", 103, 104, 105, 106, 107, 108]);
  });

  it("a gap filled before the wait ends is not a loss; a late packet after giving up is discarded", () => {
    const { events, push, buffer } = harness();
    push(1, 0);
    push(3, 3000);
    push(2, 3000);
    expect(events).toEqual([1, 2, 3]);
    push(5, 6000);
    push(6, 6000 + WAIT + 1);
    expect(events).toEqual([1, 2, 3, "lost 4..4", 5, 6]);
    push(4, 6000);
    expect(events).toHaveLength(6);
    expect(buffer.discarded).toBe(1);
  });

  it("gives up on several gaps in order, each reported once", () => {
    const { events, push } = harness();
    push(0, 0);
    push(2, 0);
    push(5, 0);
    push(6, WAIT + 1);
    expect(events).toEqual([0, "lost 1..1", 2, "lost 3..4", 5, 6]);
  });

  it("a packet beyond the window gives up on just enough of the oldest gap", () => {
    const { events, push } = harness();
    push(0, 0);
    push(2, 0);
    push(500, 0);
    const far = 10 + REORDER_WINDOW_PACKETS; // holding it needs 11 as the oldest sequence number
    push(far, 0);
    expect(events).toEqual([0, "lost 1..1", 2, "lost 3..10"]);
    push(11, 0);
    expect(events.at(-1)).toBe(11);
    expect(events).toHaveLength(5); // 500 and far are still held, behind 12
  });

  it("measures the wait across the 32-bit timestamp wrap", () => {
    const { events, push } = harness();
    push(0, 0xffff_f000);
    push(2, 0xffff_f000);
    push(3, 0x0000_1000); // 8192 ticks later: still waiting
    expect(events).toEqual([0]);
    push(4, 0x0000_1000 + WAIT);
    expect(events).toEqual([0, "lost 1..1", 2, 3, 4]);
  });

  it("a sender restart (sequence jumps backwards) resynchronises on the next consecutive packet", () => {
    const { events, push, buffer } = harness();
    for (const s of [40_000, 40_001, 40_003]) push(s); // 40_003 is held behind the gap at 40_002
    push(100); // on probation: a single stray packet must not move the stream
    expect(events).toEqual([40_000, 40_001]);
    push(101); // continues it: the source restarted
    push(102);
    expect(events).toEqual([40_000, 40_001, "resync jump 1", 100, 101, 102]);
    expect(buffer.discarded).toBe(1); // 40_003, held for the old stream
    push(40_002); // the old stream's late packet is now far behind: on probation, then discarded
    push(103);
    expect(events.at(-1)).toBe(103);
  });

  it("an SSRC change resynchronises, whatever the new sequence number", () => {
    const { events, push } = harness();
    for (const s of [7, 8, 9]) push(s, 0, 1);
    push(9, 0, 2);
    push(10, 0, 2);
    push(10, 0, 1); // a late packet of the old SSRC
    push(11, 0, 2);
    expect(events).toEqual([7, 8, 9, "resync ssrc 0", 9, 10, 11]);
  });

  it("a far jump forward resynchronises too, without counting the skipped numbers as lost", () => {
    const { events, push } = harness();
    push(1);
    push(30_001);
    push(30_002);
    expect(events).toEqual([1, "resync jump 0", 30_001, 30_002]);
  });

  it("stray packets are discarded one by one and never move the stream", () => {
    const { events, push, buffer } = harness();
    push(1);
    for (const s of [20_000, 50_000, 9_999, 40_000]) push(s);
    push(2);
    expect(events).toEqual([1, 2]);
    expect(buffer.discarded).toBe(4); // each replaced by the next, the last one by packet 2
  });

  it("20 000 random packets: every reported gap fits the window and their sum stays bounded", () => {
    let lost = 0;
    let worstGap = 0;
    let released = 0;
    const buffer = new ReorderBuffer<number>({
      maxWaitTicks: WAIT,
      maxJumpTicks: JUMP,
      onPacket: () => released++,
      onLoss: (from, to) => {
        const gap = ((to - from) & 0xffff) + 1;
        worstGap = Math.max(worstGap, gap);
        lost += gap;
      },
      onResync: () => resyncs++,
    });
    let resyncs = 0;
    let seed = 12_345;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fff_ffff;
      return seed;
    };
    const PACKETS = 20_000;
    for (let i = 0; i < PACKETS; i++) buffer.push(random() & 0xffff, random() >>> 0, i, 7);
    // A random packet fits the stream only if its sequence number lands in the window (1 in 32) and
    // its timestamp within a minute of the newest (1 in 400): about one in 20 000 moves the stream.
    // The old buffer read these 20 000 packets as about 158 million lost.
    expect(worstGap).toBeLessThan(REORDER_WINDOW_PACKETS);
    expect(lost).toBeLessThan(4 * REORDER_WINDOW_PACKETS);
    expect(resyncs).toBe(0);
    expect(released + buffer.discarded + buffer.pending).toBeGreaterThanOrEqual(PACKETS - 1);
  });

  it("one stray packet inside the window with a timestamp from elsewhere neither holds nor skips the stream", () => {
    const { events, push, buffer } = harness();
    push(10, 10_000_000);
    push(800, 7); // a minute and more away on the RTP clock: not this stream
    push(11, 10_003_000);
    push(12, 10_006_000 + WAIT * 10);
    expect(events).toEqual([10, 11, 12]);
    expect(buffer.pending).toBe(0);
  });
});
