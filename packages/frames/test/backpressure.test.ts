import { describe, expect, it } from "vitest";
import { type BackpressurePolicy, type DropReason, PolicyQueue, PolicyStream } from "../src/index.js";

/** A producer pushes `produced` items while a slow consumer takes one every `every` pushes. */
function slowConsumer(policy: BackpressurePolicy, queueSize: number, produced: number, every: number) {
  const drops: Record<DropReason, number> = { stale: 0, queueFull: 0, beforeKeyframe: 0, decodeError: 0 };
  const queue = new PolicyQueue<number>({ policy, queueSize, onDrop: (_item, reason) => drops[reason]++ });
  const consumed: number[] = [];
  for (let i = 1; i <= produced; i++) {
    queue.push(i);
    if (i % every === 0) consumed.push(queue.shift()!);
  }
  const leftover = queue.drain();
  return { drops, consumed, leftover };
}

describe("PolicyQueue: exact drops for a consumer 4x slower than the producer (20 items)", () => {
  it("latest keeps only the newest: every item not taken is stale", () => {
    const { drops, consumed, leftover } = slowConsumer("latest", 8, 20, 4);
    expect(consumed).toEqual([4, 8, 12, 16, 20]);
    expect(leftover).toEqual([]);
    expect(drops).toEqual({ stale: 15, queueFull: 0, beforeKeyframe: 0, decodeError: 0 });
  });

  it("queue(3) drops the oldest when full", () => {
    const { drops, consumed, leftover } = slowConsumer("queue", 3, 20, 4);
    // Pushes 1..4 → 1 dropped at push 4, then one taken (2); each later window drops one more.
    expect(consumed).toEqual([2, 6, 10, 14, 18]);
    expect(leftover).toEqual([19, 20]);
    expect(drops.queueFull).toBe(13);
    expect(drops.stale).toBe(0);
    expect(consumed.length + leftover.length + drops.queueFull).toBe(20);
  });

  it("block drops nothing and reports full at its bound", () => {
    const queue = new PolicyQueue<number>({ policy: "block", queueSize: 3 });
    for (let i = 1; i <= 5; i++) expect(queue.push(i)).toBeUndefined();
    expect(queue.full).toBe(true);
    expect(queue.drain()).toEqual([1, 2, 3, 4, 5]);
    expect(queue.full).toBe(false);
  });

  it("rejects bad options with INVALID_ARGUMENT", () => {
    expect(() => new PolicyQueue({ policy: "nope" as BackpressurePolicy })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => new PolicyQueue({ policy: "queue", queueSize: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

describe("PolicyStream", () => {
  it("hands items to a waiting consumer directly and queues otherwise", async () => {
    const taken: number[] = [];
    const stream = new PolicyStream<number>({ policy: "queue", queueSize: 2, onTake: (n) => taken.push(n) });
    const pending = stream.next();
    stream.push(1);
    expect(await pending).toEqual({ value: 1, done: false });
    stream.push(2);
    stream.push(3);
    stream.push(4); // drops 2
    expect((await stream.next()).value).toBe(3);
    expect(taken).toEqual([1, 3]);
  });

  it("ends on end(), abort and break; a waiting next() resolves done", async () => {
    const a = new PolicyStream<number>();
    const waiting = a.next();
    a.end();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(a.push(1)).toBeUndefined();

    const controller = new AbortController();
    let ended = false;
    const b = new PolicyStream<number>({ signal: controller.signal, onEnd: () => (ended = true) });
    const waitingB = b.next();
    controller.abort();
    expect(await waitingB).toEqual({ value: undefined, done: true });
    expect(ended).toBe(true);

    let discarded: number[] = [];
    const c = new PolicyStream<number>({ policy: "queue", queueSize: 4, onDiscard: (items) => (discarded = items) });
    c.push(1);
    c.push(2);
    for await (const n of c) {
      expect(n).toBe(1);
      break;
    }
    expect(c.closed).toBe(true);
    expect(discarded).toEqual([2]);
  });

  it("finish() lets the consumer drain, end(error) throws it", async () => {
    const s = new PolicyStream<number>({ policy: "block", queueSize: 2 });
    s.push(1);
    s.push(2);
    s.finish();
    const seen: number[] = [];
    for await (const n of s) seen.push(n);
    expect(seen).toEqual([1, 2]);

    const e = new PolicyStream<number>();
    const boom = new Error("boom");
    const waiting = e.next();
    e.end(boom);
    await expect(waiting).rejects.toBe(boom);
  });
});
