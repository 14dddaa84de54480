/** Keep-alive and automatic reconnect schedules, with fake timers. */
import { defaultReconnectPolicy, reactorError } from "@reactor-node/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SILENT_LOGGER } from "../../src/logger.js";
import { AutoReconnect } from "../../src/reconnect/auto-reconnect.js";
import { Keepalive } from "../../src/transport/keepalive.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Keepalive", () => {
  it("pings every 5 s until stopped", async () => {
    let pings = 0;
    const keepalive = new Keepalive(() => pings++);
    keepalive.start();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(pings).toBe(3);
    keepalive.stop();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(pings).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("AutoReconnect", () => {
  const drop = reactorError("GPU_CONNECTION_ERROR", "drop");

  it("retries on the policy's delays until an attempt succeeds", async () => {
    const attempts: number[] = [];
    let gaveUp = false;
    const auto = new AutoReconnect(
      defaultReconnectPolicy({ initialDelayMs: 100, maxDelayMs: 1000, maxAttempts: 5 }),
      async () => {
        attempts.push(Date.now());
        if (attempts.length < 3) throw reactorError("RECONNECTION_FAILED", "not yet");
      },
      () => {
        gaveUp = true;
      },
      SILENT_LOGGER,
    );
    const start = Date.now();
    auto.start(drop);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts.map((t) => t - start)).toEqual([100, 300, 700]);
    expect(gaveUp).toBe(false);
    expect(auto.active).toBe(false);
  });

  it("gives up on a non-recoverable error and can be cancelled", async () => {
    let attempts = 0;
    const gaveUp: string[] = [];
    const auto = new AutoReconnect(
      defaultReconnectPolicy({ initialDelayMs: 100 }),
      async () => {
        attempts++;
        throw reactorError("SESSION_TERMINAL", "closed");
      },
      (error) => gaveUp.push(error.message),
      SILENT_LOGGER,
    );
    auto.start(drop);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts).toBe(1);
    expect(gaveUp).toEqual(["closed"]);

    let cancelledAttempts = 0;
    const cancelled = new AutoReconnect(
      defaultReconnectPolicy({ initialDelayMs: 100 }),
      async () => {
        cancelledAttempts++;
      },
      () => {},
      SILENT_LOGGER,
    );
    cancelled.start(drop);
    cancelled.cancel();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(cancelledAttempts).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
