/** Keep-alive, automatic reconnect and the poll loop's schedules, with fake timers. */
import { defaultReconnectPolicy, reactorError } from "@reactor-node/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { poll } from "../../src/http/poll.js";
import { withRetry } from "../../src/http/retry.js";
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

describe("poll: the one retry/poll loop", () => {
  const schedule = { initialDelayMs: 100, factor: 2, maxDelayMs: 300, maxAttempts: 3 };

  it("sleeps the schedule's delays after each 'not yet', then ends with the exhausted error", async () => {
    const tries: number[] = [];
    const start = Date.now();
    const result = poll({
      attempt: async () => {
        tries.push(Date.now() - start);
        return { done: false };
      },
      schedule,
      exhausted: () => reactorError("TIMEOUT", "spent"),
    }).catch((e) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await result).toMatchObject({ code: "TIMEOUT", message: "spent" });
    expect(tries).toEqual([0, 100, 300, 600]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a retryable failure's Retry-After stretches the sleep (clamped); a non-retryable one ends at once", async () => {
    const tries: number[] = [];
    const start = Date.now();
    const result = poll({
      attempt: async () => {
        tries.push(Date.now() - start);
        if (tries.length === 1) throw reactorError("RATE_LIMITED", "429", { retryAfter: 86_400 });
        if (tries.length === 2) throw reactorError("SERVER_ERROR", "503", { retryAfter: 1 });
        return { done: true, value: "ok" };
      },
      schedule,
      exhausted: () => reactorError("TIMEOUT", "spent"),
    });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(await result).toBe("ok");
    expect(tries).toEqual([0, 60_000, 61_000]);

    let calls = 0;
    const refused = poll({
      attempt: async () => {
        calls++;
        throw reactorError("UNAUTHORIZED", "401");
      },
      schedule,
      exhausted: () => reactorError("TIMEOUT", "spent"),
    });
    await expect(refused).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(calls).toBe(1);
  });

  it("a 'not yet' answer's Retry-After stretches the sleep up to retryAfterMaxMs; a sleep past the deadline ends the loop", async () => {
    const tries: number[] = [];
    const start = Date.now();
    const hints = [0, 1, 60];
    const result = poll({
      attempt: async () => {
        tries.push(Date.now() - start);
        return { done: false, retryAfter: hints[tries.length - 1] ?? 2 };
      },
      schedule: { initialDelayMs: 200, factor: 1, maxDelayMs: 200, maxAttempts: Number.POSITIVE_INFINITY },
      retryAfterMaxMs: 5_000,
      deadline: start + 10_000,
      exhausted: () => reactorError("TIMEOUT", "past the deadline"),
    }).catch((e) => e);
    await vi.advanceTimersByTimeAsync(20_000);
    // 0 s → the schedule's 200 ms; 1 s; 60 s clamped to 5 s; then 2 s would end at 8.2 s, the next past 10 s.
    expect(tries).toEqual([0, 200, 1_200, 6_200, 8_200]);
    expect(await result).toMatchObject({ code: "TIMEOUT", message: "past the deadline" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an aborted sleep is ABORTED, named by `what`", async () => {
    const controller = new AbortController();
    const result = poll({
      attempt: async () => ({ done: false }),
      schedule: { initialDelayMs: 1_000, factor: 1, maxDelayMs: 1_000, maxAttempts: 5 },
      exhausted: () => reactorError("TIMEOUT", "spent"),
      signal: controller.signal,
      what: "downloadClip()",
    }).catch((e) => e);
    await vi.advanceTimersByTimeAsync(500);
    controller.abort(new Error("enough"));
    expect(await result).toMatchObject({ code: "ABORTED", message: "downloadClip() was aborted" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("withRetry: the protocol's request schedule (3 tries, 200 then 400 ms), then the last error", async () => {
    const tries: number[] = [];
    const start = Date.now();
    const result = withRetry(async () => {
      tries.push(Date.now() - start);
      throw reactorError("NETWORK_ERROR", `try ${tries.length}`);
    }).catch((e) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await result).toMatchObject({ code: "NETWORK_ERROR", message: "try 3" });
    expect(tries).toEqual([0, 200, 600]);
  });
});
