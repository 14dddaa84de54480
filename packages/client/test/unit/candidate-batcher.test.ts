/** Trickle batching with fake timers: held until start, batched in the window, final flush. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CandidateBatcher } from "../../src/signalling/candidate-batcher.js";

const c = (n: number) => ({
  candidate: `candidate:${n} 1 udp 1 10.0.0.${n} 9 typ host`,
  sdpMid: "0",
  sdpMLineIndex: 0,
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function batcher() {
  const sent: Array<{ candidates: string[]; isFinal: boolean }> = [];
  const b = new CandidateBatcher({
    windowMs: 25,
    send: async (candidates, isFinal) => {
      sent.push({ candidates: candidates.map((x) => x.candidate.split(" ")[0]!), isFinal });
    },
  });
  return { b, sent };
}

describe("CandidateBatcher", () => {
  it("holds candidates until start(), then flushes them; a burst becomes one POST", async () => {
    const { b, sent } = batcher();
    b.add(c(1));
    b.add(c(2));
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual([]); // no connection id / offer yet: nothing lost, nothing sent
    b.start();
    await b.idle();
    expect(sent).toEqual([{ candidates: ["candidate:1", "candidate:2"], isFinal: false }]);
    b.add(c(3));
    b.add(c(4));
    await vi.advanceTimersByTimeAsync(24);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await b.idle();
    expect(sent[1]).toEqual({ candidates: ["candidate:3", "candidate:4"], isFinal: false });
  });

  it("end-of-candidates flushes what is pending with is_final: true, once", async () => {
    const { b, sent } = batcher();
    b.start();
    b.add(c(1));
    b.finish();
    b.finish();
    b.add(c(9)); // after the end: ignored
    await vi.advanceTimersByTimeAsync(100);
    await b.idle();
    expect(sent).toEqual([{ candidates: ["candidate:1"], isFinal: true }]);
    expect(b.done).toBe(true);
  });

  it("gathering finished before start(): everything goes in one final POST", async () => {
    const { b, sent } = batcher();
    b.add(c(1));
    b.finish();
    b.start();
    await b.idle();
    expect(sent).toEqual([{ candidates: ["candidate:1"], isFinal: true }]);
  });

  it("close() cancels the window timer and drops what is unsent", async () => {
    const { b, sent } = batcher();
    b.start();
    b.add(c(1));
    b.close();
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a failed POST is reported and later batches are still sent in order", async () => {
    const errors: unknown[] = [];
    const sent: boolean[] = [];
    const b = new CandidateBatcher({
      windowMs: 25,
      send: async (_c, isFinal) => {
        sent.push(isFinal);
        if (!isFinal) throw new Error("503");
      },
      onError: (e) => errors.push(e),
    });
    b.start();
    b.add(c(1));
    await vi.advanceTimersByTimeAsync(25);
    b.finish();
    await b.idle();
    expect(sent).toEqual([false, true]);
    expect(errors).toHaveLength(1);
  });
});
