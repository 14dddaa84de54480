/**
 * Connect/disconnect soak: hosted sessions are created, connected (until a frame is decoded) and
 * ended, over and over (four clients at a time), against `reactor-testkit serve` in its own
 * process. Afterwards this process's
 * handles, threads, file descriptors, listeners and heap (after GC) are back at the baseline
 * taken after a warm-up, within small tolerances; the server's memory and descriptors are
 * reported too.
 */
import { Reactor } from "@reactor-node/client";
import { isReactorError } from "@reactor-node/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budget } from "../src/budget.js";
import { excess, formatGauges, readGauges, settle, type Tolerances } from "../src/gauges.js";
import { type Served, startServe } from "../src/serve.js";

const CYCLES = budget(100, 1000);
/** Clients connecting at the same time (each cycle is one client's connect → frame → disconnect). */
const PARALLEL = 4;
const WARMUP = PARALLEL;
const TOLERANCE: Tolerances = { handles: 0, threads: 2, fds: 2, listeners: 0, heapBytes: 8 * 1024 * 1024 };

let served: Served;
beforeAll(async () => {
  served = await startServe(["--gpus", String(PARALLEL), "--size", "96x64", "--fps", "15"]);
});
afterAll(async () => {
  await served?.close();
});

let retried = 0;

// One cycle. werift's DTLS handshake sometimes wedges when an event-loop stall makes the client
// retransmit its first flight (seen on loaded machines, mostly on a process's first
// connection): connect() then fails with a recoverable CONNECTION_FAILED, and an application
// connects again. The cycle does the same, once, and counts it.
async function cycle(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const reactor = new Reactor({ modelName: "echo", apiKey: served.apiKey, apiUrl: served.url });
    const frame = new Promise<void>((resolve) => {
      const off = reactor.onFrame(() => {
        off();
        resolve();
      });
    });
    try {
      await reactor.connect();
      await frame;
      return;
    } catch (error) {
      if (attempt > 0 || !isReactorError(error) || error.code !== "CONNECTION_FAILED") throw error;
      retried++;
    } finally {
      await reactor.disconnect();
    }
  }
}

/** Runs `count` cycles, `PARALLEL` at a time. */
async function cycles(count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await cycle();
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, worker));
}

describe("connect/disconnect soak", () => {
  it(`${CYCLES} cycles leave handles, threads, fds, listeners and heap at the baseline`, async () => {
    await cycles(WARMUP);
    const baseline = await settle(readGauges(), TOLERANCE);
    const serverBefore = served.procStats();
    const started = Date.now();
    await cycles(CYCLES);
    const seconds = (Date.now() - started) / 1000;
    const end = await settle(baseline, TOLERANCE);
    const serverAfter = served.procStats();
    console.log(
      `[soak] ${CYCLES} connect/disconnect cycles in ${seconds.toFixed(1)} s (${retried} connect retried once)\n` +
        `[soak] client start: ${formatGauges(baseline)}\n[soak] client end:   ${formatGauges(end)}\n` +
        `[soak] server start: rss=${serverBefore?.rssKiB}KiB fds=${serverBefore?.fds}; ` +
        `end: rss=${serverAfter?.rssKiB}KiB fds=${serverAfter?.fds}`,
    );
    expect(excess(baseline, end, TOLERANCE)).toEqual([]);
    expect(served.alive()).toBe(true);
  });
});
