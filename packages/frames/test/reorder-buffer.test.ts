import { describe, expect, it } from "vitest";
import { REORDER_WINDOW_PACKETS, ReorderBuffer } from "../src/rtp/reorder-buffer.js";

const WAIT = 9000; // ticks (100 ms at 90 kHz)

type Event = number | `lost ${number}..${number}`;

/** A buffer whose packets are their own sequence numbers; records releases and losses in order. */
function harness() {
  const events: Event[] = [];
  const buffer = new ReorderBuffer<number>({
    maxWaitTicks: WAIT,
    onPacket: (seq) => events.push(seq),
    onLoss: (from, to) => events.push(`lost ${from}..${to}`),
  });
  const push = (seq: number, ts = 0) => buffer.push(seq, ts, seq);
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
    const far = 10 + REORDER_WINDOW_PACKETS; // holding it needs 11 as the oldest sequence number
    push(far, 0);
    expect(events).toEqual([0, "lost 1..1", 2, "lost 3..10"]);
    push(11, 0);
    expect(events.at(-1)).toBe(11);
    expect(events).toHaveLength(5); // far is still held, behind 12
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
});
