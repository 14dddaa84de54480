/**
 * GPU-drop soak with auto-reconnect: every session's GPU drops its peer abruptly (the
 * `gpu-drop` fault), the client reports the recoverable drop, reconnects on its own (PUT
 * re-offer on the same session) and frames resume; then the session ends. Afterwards this
 * process's gauges are back at the baseline.
 */
import { Reactor } from "@reactor-node/client";
import { isReactorError } from "@reactor-node/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budget } from "../src/budget.js";
import { excess, formatGauges, readGauges, settle, type Tolerances } from "../src/gauges.js";
import { type Served, startServe } from "../src/serve.js";

const CYCLES = budget(10, 50);
const PARALLEL = 2;
const TOLERANCE: Tolerances = { handles: 0, threads: 2, fds: 2, listeners: 0, heapBytes: 8 * 1024 * 1024 };

let served: Served;
beforeAll(async () => {
  served = await startServe(["--gpus", String(PARALLEL), "--size", "96x64", "--fps", "15"]);
});
afterAll(async () => {
  await served?.close();
});

interface Counts {
  drops: number;
  reconnects: number;
  connectRetries: number;
}

function waitFor<T>(subscribe: (done: (value: T) => void) => () => void, what: string, timeoutMs = 60_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const off = subscribe((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

async function cycle(counts: Counts): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const reactor = new Reactor({
      modelName: "echo",
      apiKey: served.apiKey,
      apiUrl: served.url,
      autoReconnect: true,
      extraArgs: { testkit: { fault: "gpu-drop", after: 0.3 } },
    });
    const errors: string[] = [];
    reactor.on("error", (e) => errors.push(e.code));
    try {
      const dropped = waitFor<void>(
        (done) => reactor.on("error", (e) => e.code === "GPU_CONNECTION_ERROR" && done()),
        "the drop",
      );
      await reactor.connect();
      await dropped;
      counts.drops++;
      if (reactor.getStatus() !== "ready") {
        await waitFor<void>((done) => reactor.on("status_changed", (s) => s === "ready" && done()), "the reconnect");
      }
      counts.reconnects++;
      await waitFor<void>((done) => reactor.onFrame(() => done()), "a frame after the reconnect");
      expect(errors.every((code) => code === "GPU_CONNECTION_ERROR")).toBe(true);
      return;
    } catch (error) {
      // See soak-connect.test.ts: a wedged first DTLS handshake is retried once, and counted.
      if (attempt > 0 || !isReactorError(error) || error.code !== "CONNECTION_FAILED") throw error;
      counts.connectRetries++;
    } finally {
      await reactor.disconnect();
    }
  }
}

describe("GPU-drop soak with auto-reconnect", () => {
  it(`${CYCLES} drops, each recovered on its own, leave the gauges at the baseline`, async () => {
    const counts: Counts = { drops: 0, reconnects: 0, connectRetries: 0 };
    await cycle(counts);
    const baseline = await settle(readGauges(), TOLERANCE);
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < CYCLES) {
          next++;
          await cycle(counts);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const end = await settle(baseline, TOLERANCE);
    console.log(
      `[gpu-drop] ${CYCLES} sessions: ${counts.drops - 1} drops, ${counts.reconnects - 1} automatic reconnects, ` +
        `${counts.connectRetries} connect retried, in ${seconds.toFixed(1)} s\n` +
        `[gpu-drop] client start: ${formatGauges(baseline)}\n[gpu-drop] client end:   ${formatGauges(end)}`,
    );
    expect(counts.reconnects).toBe(CYCLES + 1);
    expect(excess(baseline, end, TOLERANCE)).toEqual([]);
    expect(served.alive()).toBe(true);
  });
});
