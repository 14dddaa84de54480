// Closing a decoder worker while it is still starting (libav.js loading: an `import()` of its
// .wasm.mjs, whose file is open meanwhile) must not leave that file open. comlink runs each
// message as it arrives, so the host's "leave" used to end the thread in the middle of the load
// and its descriptor was never closed (about one leaked per two hurried closes); the host now
// waits for the calls in flight (worker/comlink-host.ts).
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AudioWorker } from "../src/audio/audio-worker.js";
import { WorkerDecoder } from "../src/decoder/worker-decoder.js";
import { SILENT_LOGGER } from "../src/index.js";
import { eventually } from "./helpers/threads.js";

/** Hurried open/close cycles per worker kind; enough that the old race shows with certainty. */
const CYCLES = 12;

/** What each of this process's descriptors points at (Linux /proc). */
function openFiles(): string[] {
  const targets: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      targets.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed between the listing and the read (readdirSync's own descriptor, for one)
    }
  }
  return targets;
}

/** Descriptors open now that were not open at `before` (counted per target). */
function leftOpen(before: string[]): string[] {
  const remaining = [...before];
  return openFiles().filter((target) => {
    const i = remaining.indexOf(target);
    if (i < 0) return true;
    remaining.splice(i, 1);
    return false;
  });
}

interface StartingWorker {
  start(): Promise<void>;
  close(): Promise<void>;
}

const kinds: Array<[string, () => StartingWorker]> = [
  [
    "video decoder",
    () => new WorkerDecoder({ output: "rgb24", backend: "wasm", logger: SILENT_LOGGER, onCrash: () => {} }),
  ],
  ["audio decoder", () => new AudioWorker({ sampleRate: 48_000, channels: 2 }, SILENT_LOGGER, () => {})],
];

describe.skipIf(!existsSync("/proc/self/fd"))("a worker closed while it starts", () => {
  it.each(kinds)(
    `%s: ${CYCLES} closes during libav's load leave no descriptor open`,
    { timeout: 60_000 },
    async (_, create) => {
      const warm = create();
      await warm.start();
      await warm.close();
      const before = openFiles();
      for (let i = 0; i < CYCLES; i++) {
        const worker = create();
        const started = worker.start().then(
          () => "started",
          (error: { code?: string }) => error.code,
        );
        await worker.close();
        // The start settles either way (the load finished before the close, or it was refused).
        expect(["started", "ABORTED"]).toContain(await started);
      }
      await eventually(() => leftOpen(before).length === 0).catch(() => {});
      expect(leftOpen(before)).toEqual([]);
    },
  );
});
