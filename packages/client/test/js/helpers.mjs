// Plain-JavaScript test helpers: these tests import the built package (`dist/`), as a user's
// `.mjs` code does, so no type checker stands between the calls and the SDK's own checks.
import { startMockReactor } from "@reactor-node/testkit";
import { afterAll, afterEach, beforeAll } from "vitest";
import { Reactor } from "../../dist/index.js";

export { fetchJwtToken, isReactorError, Reactor, ReactorError } from "../../dist/index.js";

/** The rejection (or throw) of `fn()`; fails if it succeeds. */
export async function failure(fn) {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure, got success");
}

/** Resolves with the args of the next `event` matching `predicate`. */
export function nextEvent(reactor, event, predicate = () => true, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = reactor.on(event, (...args) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      off();
      resolve(args);
    });
  });
}

/** Waits until `probe()` is truthy (for state only visible by polling). */
export async function until(probe, timeoutMs = 15_000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A logger that keeps what was logged at warn and above. */
export function recordingLogger() {
  const lines = [];
  const keep = (level) => (obj, msg) => lines.push({ level, obj, msg });
  return { lines, debug() {}, info() {}, warn: keep("warn"), error: keep("error") };
}

/** Reactors made through `make()` are all disconnected by `cleanup()` (call it in afterEach), so a failed test leaves no session behind. */
export function reactors() {
  const made = [];
  return {
    make(options) {
      const reactor = new Reactor(options);
      made.push(reactor);
      return reactor;
    },
    async cleanup() {
      await Promise.all(made.splice(0).map((r) => r.disconnect().catch(() => {})));
    },
  };
}

/**
 * A test file's own testkit (160×96 at 30 fps, the echo model) with `make()` (any options) and
 * `client()` (an echo client on it), every Reactor disconnected after each test. Call at the top
 * level of the file.
 */
export function echoTestkit() {
  let mock;
  const made = reactors();
  beforeAll(async () => {
    mock = await startMockReactor({ video: { width: 160, height: 96, fps: 30 } });
  });
  afterAll(async () => {
    await mock?.close();
  });
  afterEach(() => made.cleanup());
  return {
    get mock() {
      return mock;
    },
    make: (options) => made.make(options),
    client: (extra = {}) => made.make({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, ...extra }),
  };
}
