/** Shared test helpers: an event recorder and waiting for events, with no timed assertions. */
import {
  type ClientMessage,
  REACTOR_EVENTS,
  type ReactorError,
  type ServerMessage,
  type WireName,
} from "@reactor-node/protocol";
import type { MockReactor } from "@reactor-node/testkit";
import type { ReactorEventMap } from "../src/events.js";
import type { Reactor } from "../src/reactor.js";

/** Every event a reactor emitted, in order. */
export interface Recorded {
  events: Array<{ event: keyof ReactorEventMap; args: unknown[] }>;
  statuses: string[];
  errors: ReactorError[];
  of<K extends keyof ReactorEventMap>(event: K): ReactorEventMap[K][];
}

/** The eight seed events (the protocol owns the list). */
const EVENTS: ReadonlyArray<keyof ReactorEventMap> = REACTOR_EVENTS;

/** Records every event of `reactor` from now on. */
export function record(reactor: Reactor): Recorded {
  const events: Recorded["events"] = [];
  for (const event of EVENTS) {
    reactor.on(event, ((...args: unknown[]) => events.push({ event, args })) as never);
  }
  return {
    events,
    get statuses() {
      return events.filter((e) => e.event === "status_changed").map((e) => e.args[0] as string);
    },
    get errors() {
      return events.filter((e) => e.event === "error").map((e) => e.args[0] as ReactorError);
    },
    of: (event) => events.filter((e) => e.event === event).map((e) => e.args as never),
  };
}

/** Resolves with the args of the next `event` matching `predicate` (rejects after `timeoutMs`). */
export function nextEvent<K extends keyof ReactorEventMap>(
  reactor: Reactor,
  event: K,
  predicate: (...args: ReactorEventMap[K]) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<ReactorEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${String(event)}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = reactor.on(event, ((...args: ReactorEventMap[K]) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      off();
      resolve(args);
    }) as never);
  });
}

/** Resolves with the first frame count reaching `count` on the default track. */
export function framesSeen(reactor: Reactor, count: number, timeoutMs = 15_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`saw ${seen} of ${count} frames`));
    }, timeoutMs);
    const off = reactor.onFrame(() => {
      seen++;
      if (seen < count) return;
      clearTimeout(timer);
      off();
      resolve(seen);
    });
  });
}

/** Waits until `probe()` is truthy, polling on a short interval (for state visible only by polling). */
export async function until(probe: () => unknown, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The wires the wire-dependent tests run on (the default first). Tests that never touch the
 * data channels run once, on the default.
 */
export const WIRES = ["v1", "v0"] as const satisfies readonly WireName[];

/** What the client sent (`in`) or received (`out`) on the data channels of `sessionId`, decoded, either wire. */
export function wireMessages(
  mock: MockReactor,
  sessionId: string | undefined,
  direction: "in" | "out" = "in",
): Array<ClientMessage | ServerMessage> {
  return mock.history.dataChannel
    .filter((d) => d.sessionId === sessionId && d.direction === direction && d.message !== undefined)
    .map((d) => d.message!);
}
