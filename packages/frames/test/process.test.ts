import { reactorError } from "@reactor-node/protocol";
import { describe, expect, it } from "vitest";
import { frameByteLength, type ProcessedFrame, processFrames, type VideoFrame } from "../src/index.js";
import { eventually, osThreadCount } from "./helpers/threads.js";

const MODULE = new URL("./fixtures/mean-colour.mjs", import.meta.url);
const W = 32;
const H = 16;

function solidFrame(n: number): VideoFrame {
  const data = new Uint8Array(frameByteLength("rgb24", W, H));
  for (let i = 0; i < data.length; i += 3) data.set([n, 2 * n, 3 * n], i);
  return { data, width: W, height: H, timestamp: n * 33, receivedAt: 0, frameNumber: n, format: "rgb24" };
}

async function* source(count: number, transferred: ArrayBuffer[] = []): AsyncGenerator<VideoFrame> {
  for (let n = 1; n <= count; n++) {
    const frame = solidFrame(n);
    transferred.push(frame.data.buffer as ArrayBuffer);
    yield frame;
  }
}

type Mean = { mean: number[]; bytes: number };

describe("processFrames (piscina pool)", () => {
  it("runs the module's default export on every frame, zero-copy, results in frame order", async () => {
    const buffers: ArrayBuffer[] = [];
    await using processor = processFrames<Mean>(source(20, buffers), MODULE, { concurrency: 2, policy: "block" });
    const results: ProcessedFrame<Mean>[] = [];
    for await (const item of processor) results.push(item);
    expect(results.map((r) => r.frame.frameNumber)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const r of results) {
      const n = r.frame.frameNumber;
      if (n === 13) {
        expect("error" in r && (r.error as Error).message).toBe("unlucky frame");
        continue;
      }
      expect("result" in r && r.result).toEqual({ mean: [n, 2 * n, 3 * n], bytes: W * H * 3 });
    }
    // Transferred, not copied: the main thread's buffers were detached.
    expect(buffers.every((b) => b.byteLength === 0)).toBe(true);
    expect(processor.stats()).toEqual({ received: 20, processed: 20, failed: 1, dropped: { stale: 0, queueFull: 0 } });
  });

  it("latest drops what arrives while every thread is busy, and counts it", async () => {
    async function* burst(): AsyncGenerator<VideoFrame> {
      for (let n = 1; n <= 30; n++) yield solidFrame(n); // no awaits: arrives faster than one thread
    }
    await using processor = processFrames<Mean>(burst(), MODULE, { concurrency: 1, policy: "latest" });
    const seen: number[] = [];
    for await (const item of processor) seen.push(item.frame.frameNumber);
    const stats = processor.stats();
    expect(stats.received).toBe(30);
    expect(seen.at(-1)).toBe(30); // the newest frame always wins
    expect(stats.processed + stats.dropped.stale).toBe(30);
    expect(stats.dropped.stale).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it("a module without a default export fails the iteration with INVALID_ARGUMENT", async () => {
    const bad = new URL("./fixtures/no-default.mjs", import.meta.url);
    await using processor = processFrames(source(3), bad, { concurrency: 1, policy: "block" });
    await expect(
      (async () => {
        for await (const _ of processor) {
          /* drain */
        }
      })(),
    ).rejects.toMatchObject({ name: "ReactorError", code: "INVALID_ARGUMENT" });
  });

  it.each([
    ["a plain Error", new Error("camera unplugged"), "FRAME_SOURCE_FAILED"],
    ["a ReactorError (a receiver whose decoder gave up)", reactorError("WORKER_FAILED", "gave up"), "WORKER_FAILED"],
  ])("a source that throws %s fails the iteration with %s, not ABORTED", async (_, thrown, code) => {
    async function* failing(): AsyncGenerator<VideoFrame> {
      yield solidFrame(1);
      throw thrown;
    }
    await using processor = processFrames(failing(), MODULE, { concurrency: 1, policy: "block" });
    const seen: number[] = [];
    const error = await (async () => {
      for await (const item of processor) seen.push(item.frame.frameNumber);
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ReactorError", code });
    expect((error as Error).message).toMatch(thrown.message);
  });

  it("close() mid-stream ends the results and terminates the pool threads", async () => {
    const baseline = osThreadCount();
    async function* endless(): AsyncGenerator<VideoFrame> {
      for (let n = 1; ; n++) {
        yield solidFrame(n);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const processor = processFrames<Mean>(endless(), MODULE, { concurrency: 2 });
    const iterator = processor[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await processor.close();
    await processor.close();
    expect((await iterator.next()).done).toBe(true);
    if (baseline !== undefined) await eventually(() => osThreadCount()! <= baseline);
  });
});
