/** The typed emitter: snapshots, unsubscribe, throwing listeners. */
import { describe, expect, it } from "vitest";
import { Emitter } from "../../src/events.js";

type Map = { a: [value: number]; b: [] };

describe("Emitter", () => {
  it("snapshots listeners before dispatch and unsubscribes idempotently", () => {
    const emitter = new Emitter<Map>(() => {});
    const seen: string[] = [];
    const offSecond = emitter.on("a", (v) => seen.push(`second ${v}`));
    emitter.on("a", (v) => {
      seen.push(`first ${v}`);
      offSecond(); // removal during dispatch affects the next emit only
      emitter.on("a", (w) => seen.push(`late ${w}`));
    });
    emitter.emit("a", 1);
    emitter.emit("a", 2);
    expect(seen).toEqual(["second 1", "first 1", "first 2", "late 2"]);
    offSecond();
    expect(emitter.listenerCount("a")).toBe(3);
  });

  it("the same function twice is two subscriptions; once() fires once", () => {
    const emitter = new Emitter<Map>(() => {});
    let count = 0;
    const fn = () => count++;
    const off1 = emitter.on("b", fn);
    emitter.on("b", fn);
    emitter.once("b", fn);
    emitter.emit("b");
    emitter.emit("b");
    off1();
    emitter.emit("b");
    expect(count).toBe(2 + 1 + 2 + 1);
  });

  it("a throwing listener is reported and the others still run", () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<Map>((error, event) => errors.push([event, (error as Error).message]));
    let ran = false;
    emitter.on("a", () => {
      throw new Error("boom");
    });
    emitter.on("a", () => {
      ran = true;
    });
    expect(() => emitter.emit("a", 1)).not.toThrow();
    expect(ran).toBe(true);
    expect(errors).toEqual([["a", "boom"]]);
  });
});
