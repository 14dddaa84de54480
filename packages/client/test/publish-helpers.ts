/** Helpers of the publishing tests: pushing the testkit's pattern, reading it back, counting threads. */
import { existsSync, readdirSync } from "node:fs";
import type { RgbFrame } from "@reactor-node/protocol";
import { type MockReactor, readPattern, renderPatternRgb, startMockReactor } from "@reactor-node/testkit";
import { afterAll, afterEach, beforeAll } from "vitest";
import { Reactor } from "../src/reactor.js";

/**
 * A test file's own testkit (320×240 at 30 fps, the echo model) and `connected()` Reactors on it,
 * disconnected after each test. Call at the top level of the file.
 */
export function echoKit(): {
  readonly mock: MockReactor;
  connected(options?: ReactorOptions): Promise<Reactor>;
  disconnectAfterEach(reactor: Reactor): void;
} {
  let mock: MockReactor | undefined;
  const open: Reactor[] = [];
  beforeAll(async () => {
    mock = await startMockReactor({ video: { width: 320, height: 240, fps: 30 } });
  });
  afterAll(async () => {
    await mock?.close();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.disconnect()));
  });
  const started = (): MockReactor => {
    if (!mock) throw new Error("echoKit(): the testkit is not started (call it at the top level of a test file)");
    return mock;
  };
  return {
    get mock() {
      return started();
    },
    disconnectAfterEach(reactor: Reactor) {
      open.push(reactor);
    },
    async connected(options: ReactorOptions = {}) {
      const reactor = new Reactor({ modelName: "echo", apiKey: started().apiKey, apiUrl: started().url, ...options });
      open.push(reactor);
      await reactor.connect();
      return reactor;
    },
  };
}

type ReactorOptions = Partial<ConstructorParameters<typeof Reactor>[0]>;

/** Size of the pictures the tests publish. */
export const W = 320;
export const H = 180;

/**
 * Pushes pattern frames from `from` on at `fps` (stamped with their own times) until `done()`
 * holds, or `max` frames were pushed. Returns how many were pushed. The machine may be loaded:
 * the test waits on what arrives, not on a frame count fixed in advance.
 */
export async function pushPatternUntil(
  push: (frame: { data: Uint8Array; width: number; height: number; format: "rgb24"; timestamp: number }) => unknown,
  done: () => boolean,
  options: { from?: number; max?: number; fps?: number; width?: number; height?: number } = {},
): Promise<number> {
  const { from = 0, max = 900, fps = 30, width = W, height = H } = options;
  let n = from;
  while (!done() && n < from + max) {
    push({ data: renderPatternRgb(n, width, height), width, height, format: "rgb24", timestamp: (n * 1000) / fps });
    n++;
    await new Promise((r) => setTimeout(r, 1000 / fps));
  }
  return n - from;
}

/** Collects pattern readings of received frames whose size is the published one. */
export function echoed(reactor: Reactor): { numbers: number[]; worst: number; frames: RgbFrame[] } {
  const out = { numbers: [] as number[], worst: 0, frames: [] as RgbFrame[] };
  reactor.onFrame((frame) => {
    if (frame.width !== W || frame.height !== H) return;
    const reading = readPattern(frame.data, frame.width, frame.height);
    if (!reading) return;
    out.numbers.push(reading.frameNumber);
    out.frames.push(frame);
    for (const p of reading.patches) {
      for (let c = 0; c < 3; c++) out.worst = Math.max(out.worst, Math.abs(p.actual[c]! - p.expected[c]!));
    }
  });
  return out;
}

/** OS threads of this process (Linux), after letting exiting threads go. */
export async function settledThreads(): Promise<number | undefined> {
  if (!existsSync("/proc/self/task")) return undefined;
  await new Promise((r) => setTimeout(r, 200));
  return readdirSync("/proc/self/task").length;
}

/** Waits until the thread count is `baseline` (or at most it, once the session itself is gone too). */
export async function threadsBackTo(baseline: number, orFewer = false): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const now = (await settledThreads())!;
    if (now === baseline || (orFewer && now < baseline)) return;
    if (Date.now() > deadline) throw new Error(`threads: ${now}, baseline ${baseline}`);
  }
}
