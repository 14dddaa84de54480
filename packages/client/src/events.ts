/**
 * Typed events. Listeners are snapshotted before dispatch (adding or removing one inside a
 * handler affects the next emit only); a throwing listener is reported, never propagated, so
 * user code cannot break the session's state machine.
 */
import {
  type Capabilities,
  REACTOR_EVENTS,
  type ReactorError,
  type ReactorMessage,
  type ReactorStatus,
} from "@reactor-node/protocol";
import type { ReactorStats } from "./stats/types.js";
import type { Track } from "./tracks/track.js";
import { describeValue, invalidArgument } from "./validate.js";

/** Every event of a `Reactor` and its arguments (docs/protocol.md §7). */
export interface ReactorEventMap {
  /** The new status, once per real transition. */
  status_changed: [status: ReactorStatus];
  /** The session id on creation/adoption; `undefined` when the session ends. */
  session_id_changed: [sessionId: string | undefined];
  /** An application (model) message: the inner `{type, data}`. */
  message: [message: ReactorMessage];
  /** A runtime (platform) message: the inner `{type, data}`. */
  runtime_message: [message: ReactorMessage];
  /** A received track started (once per track per connection). */
  track_received: [name: string, track: Track];
  /** Any reported failure. */
  error: [error: ReactorError];
  /** Absolute session expiry in ms since the epoch, or `undefined` when none is known. */
  session_expiration_changed: [expiresAt: number | undefined];
  /** The session's capabilities, camelCase. */
  capabilities_received: [capabilities: Capabilities];
  /** Connection statistics, every `statsIntervalMs` while connected (only when that option is set). */
  stats: [stats: ReactorStats];
}

/** Every event name a `Reactor` emits: the seed's eight, then `stats`. */
export const CLIENT_EVENTS: ReadonlyArray<keyof ReactorEventMap> = [...REACTOR_EVENTS, "stats"];

// What users porting from the official JS SDK (camelCase events) or guessing mean instead.
const EVENT_HINTS: Readonly<Record<string, string>> = {
  statusChanged: "status_changed",
  sessionIdChanged: "session_id_changed",
  runtimeMessage: "runtime_message",
  trackReceived: "track_received",
  sessionExpirationChanged: "session_expiration_changed",
  capabilitiesReceived: "capabilities_received",
  statsUpdate: "stats",
  schemaReceived: "connect() (it resolves with the schema received) or requestSchema()",
  frame: "onFrame() or frames()",
};

/** Throws INVALID_ARGUMENT unless `event` is one of {@link CLIENT_EVENTS} and `listener` a function. */
export function assertSubscription(method: string, event: unknown, listener: unknown): void {
  if (typeof event !== "string" || !(CLIENT_EVENTS as readonly string[]).includes(event)) {
    const hint = typeof event === "string" && Object.hasOwn(EVENT_HINTS, event) ? `; use ${EVENT_HINTS[event]}` : "";
    throw invalidArgument(
      `${method}()`,
      `unknown event ${describeValue(event)}${hint} (events: ${CLIENT_EVENTS.join(", ")})`,
    );
  }
  if (typeof listener !== "function") {
    throw invalidArgument(`${method}('${event}')`, `the listener must be a function, got ${describeValue(listener)}`);
  }
}

/** A listener of event `K`. */
export type Listener<M, K extends keyof M> = M[K] extends unknown[] ? (...args: M[K]) => void : never;

type AnyListener = (...args: unknown[]) => void;
/** A subscription: the wrapper that is called, and the user's function it was made for. */
interface Entry {
  call: AnyListener;
  listener: unknown;
}

/** A minimal typed emitter; `on()` returns its own unsubscribe function. */
export class Emitter<M extends { [K in keyof M]: unknown[] }> {
  private readonly listeners = new Map<keyof M, Set<Entry>>();

  /** @param onListenerError receives whatever a listener throws (event name included). */
  constructor(private readonly onListenerError: (error: unknown, event: keyof M) => void) {}

  /** Subscribes; returns the unsubscribe function (idempotent). */
  on<K extends keyof M>(event: K, listener: Listener<M, K>): () => void {
    return this.add(event, listener, listener as unknown as AnyListener);
  }

  /** Subscribes for one emission only. */
  once<K extends keyof M>(event: K, listener: Listener<M, K>): () => void {
    const fn = listener as unknown as AnyListener;
    const off = this.add(event, listener, (...args) => {
      off();
      fn(...args);
    });
    return off;
  }

  /** Removes the most recent subscription of `listener` to `event` (`on` or `once`); false if there was none. */
  off<K extends keyof M>(event: K, listener: Listener<M, K>): boolean {
    const set = this.listeners.get(event);
    if (!set) return false;
    const entry = [...set].reverse().find((e) => e.listener === listener);
    if (!entry) return false;
    set.delete(entry);
    return true;
  }

  /** Calls every listener registered at the time of the call; returns how many were called. */
  emit<K extends keyof M>(event: K, ...args: M[K]): number {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return 0;
    const snapshot = [...set];
    for (const entry of snapshot) {
      try {
        entry.call(...args);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
    return snapshot.length;
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof M): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Drops every listener (of `event` only, when given). */
  clear(event?: keyof M): void {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
  }

  // Each registration is its own entry, so the same function registered twice is two
  // subscriptions, each removable once.
  private add(event: keyof M, listener: unknown, fn: AnyListener): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const entry: Entry = { call: fn, listener };
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }
}
