import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  CLIP_POLL_MAX_DELAY_MS,
  CLIP_POLL_MIN_DELAY_MS,
  CLIP_POLL_SCHEDULE,
  CLIP_READY_SLACK_MS,
  clipPollDeadline,
  defaultReconnectPolicy,
  NEVER_RECONNECT,
  REQUEST_RETRY_SCHEDULE,
  RETRY_AFTER_MAX_MS,
  reactorError,
  retryAfterMs,
  SDP_POLL_SCHEDULE,
  SESSION_POLL_SCHEDULE,
  sdpPollDelayMs,
  sessionPollDelayMs,
  TIMER_MAX_DELAY_MS,
  VersionMismatchError,
  worstCaseWaitMs,
} from "../src/index.js";

describe("session-ready poll schedule", () => {
  it.each([
    [0, 200],
    [1, 400],
    [2, 800],
    [3, 1600],
    [4, 3200],
    [5, 6400],
    [6, 10_000],
    [19, 10_000],
    [20, null],
    [-1, null],
    [1.5, null],
  ])("attempt %s → %s ms", (attempt, delay) => {
    expect(sessionPollDelayMs(attempt)).toBe(delay);
  });
  it("worst case ≈152 s", () => expect(worstCaseWaitMs(SESSION_POLL_SCHEDULE)).toBe(152_600));
});

describe("SDP-answer poll schedule", () => {
  it.each([
    [0, 200],
    [1, 400],
    [2, 800],
    [3, 1600],
    [4, 3200],
    [5, 6400],
    [6, null],
  ])("attempt %s → %s ms", (attempt, delay) => {
    expect(sdpPollDelayMs(attempt)).toBe(delay);
  });
  it("worst case ≈12.6 s", () => expect(worstCaseWaitMs(SDP_POLL_SCHEDULE)).toBe(12_600));
  it("attempts are overridable; the cap is 15 s", () => {
    expect(sdpPollDelayMs(7, 10)).toBe(15_000);
    expect(sdpPollDelayMs(10, 10)).toBeNull();
    expect(backoffDelayMs({ initialDelayMs: 1, factor: 3, maxDelayMs: 20, maxAttempts: 4 }, 3)).toBe(20);
  });
});

describe("helper-request retry schedule", () => {
  it.each([
    [0, 200],
    [1, 400],
    [2, null],
  ])("after try %i → %s ms", (attempt, delay) => {
    expect(backoffDelayMs(REQUEST_RETRY_SCHEDULE, attempt)).toBe(delay);
  });
  it("three tries, 600 ms of waiting at most", () => expect(worstCaseWaitMs(REQUEST_RETRY_SCHEDULE)).toBe(600));
});

describe("clip playlist poll schedule", () => {
  it("the shortest wait at every poll, however many: the deadline bounds it, not a count", () => {
    for (const attempt of [0, 1, 100, 10_000]) expect(backoffDelayMs(CLIP_POLL_SCHEDULE, attempt)).toBe(200);
    expect(CLIP_POLL_MIN_DELAY_MS).toBe(200);
    expect(worstCaseWaitMs(CLIP_POLL_SCHEDULE)).toBe(Number.POSITIVE_INFINITY);
  });
  it("the deadline: 30 s past the predicted ready time, never sooner than one longest wait from now", () => {
    const now = 1_000_000;
    expect(clipPollDeadline(now + 5_000, now)).toBe(now + 5_000 + CLIP_READY_SLACK_MS);
    expect(clipPollDeadline(now - 60_000, now)).toBe(now + CLIP_POLL_MAX_DELAY_MS);
  });
});

describe("reconnect policy", () => {
  const gpuDrop = reactorError("GPU_CONNECTION_ERROR", "peer closed");
  const policy = defaultReconnectPolicy({ maxAttempts: 4, initialDelayMs: 500, maxDelayMs: 2000 });
  it.each([
    [0, 0, 500],
    [1, 500, 1000],
    [2, 1500, 2000],
    [3, 3500, 2000],
    [4, 5500, null],
  ])("attempt %s at %s ms → %s", (attempt, elapsedMs, delay) => {
    expect(policy.nextDelayMs({ attempt, elapsedMs, error: gpuDrop })).toBe(delay);
  });

  it("never retries non-recoverable errors", () => {
    for (const error of [
      reactorError("UNAUTHORIZED", "401"),
      reactorError("SESSION_TERMINAL", "closed"),
      new VersionMismatchError({ clientVersion: "1", mustUpgrade: "client" }),
    ]) {
      expect(policy.nextDelayMs({ attempt: 0, elapsedMs: 0, error })).toBeNull();
    }
  });

  it("honours retryAfter and the elapsed budget", () => {
    const limited = reactorError("RATE_LIMITED", "429", { retryAfter: 3 });
    expect(policy.nextDelayMs({ attempt: 0, elapsedMs: 0, error: limited })).toBe(3000);
    const windowed = defaultReconnectPolicy({ maxElapsedMs: 30_000 });
    expect(windowed.nextDelayMs({ attempt: 0, elapsedMs: 29_800, error: gpuDrop })).toBeNull();
    expect(windowed.nextDelayMs({ attempt: 0, elapsedMs: 1000, error: gpuDrop })).toBe(500);
  });

  it("a day-long (or endless) retryAfter is clamped to RETRY_AFTER_MAX_MS", () => {
    for (const retryAfter of [86_400, 2_147_484, Number.POSITIVE_INFINITY]) {
      const limited = reactorError("RATE_LIMITED", "429", { retryAfter });
      expect(policy.nextDelayMs({ attempt: 0, elapsedMs: 0, error: limited })).toBe(RETRY_AFTER_MAX_MS);
    }
  });

  it("jitter is bounded and deterministic with an injected random source", () => {
    const low = defaultReconnectPolicy({ jitter: 0.2, random: () => 0 });
    const high = defaultReconnectPolicy({ jitter: 0.2, random: () => 0.999999 });
    expect(low.nextDelayMs({ attempt: 1, elapsedMs: 0, error: gpuDrop })).toBe(800);
    expect(high.nextDelayMs({ attempt: 1, elapsedMs: 0, error: gpuDrop })).toBe(1200);
  });

  it("NEVER_RECONNECT", () =>
    expect(NEVER_RECONNECT.nextDelayMs({ attempt: 0, elapsedMs: 0, error: gpuDrop })).toBeNull());
});

describe("retryAfterMs: a server's Retry-After as a bounded wait", () => {
  it.each([
    [undefined, undefined, 0],
    [0, undefined, 0],
    [-5, undefined, 0],
    [Number.NaN, undefined, 0],
    [1.5, undefined, 1500],
    [60, undefined, 60_000],
    [61, undefined, RETRY_AFTER_MAX_MS],
    [86_400, undefined, RETRY_AFTER_MAX_MS],
    [Number.POSITIVE_INFINITY, undefined, RETRY_AFTER_MAX_MS],
    [30, 5_000, 5_000],
    [30, -1, 0],
  ])("retryAfterMs(%s, %s) = %s", (seconds, maxMs, expected) => {
    expect(retryAfterMs(seconds, maxMs)).toBe(expected);
  });

  it("the clamp stays below what Node's timers accept", () => {
    expect(RETRY_AFTER_MAX_MS).toBeLessThan(TIMER_MAX_DELAY_MS);
    expect(TIMER_MAX_DELAY_MS).toBe(2 ** 31 - 1);
  });
});
