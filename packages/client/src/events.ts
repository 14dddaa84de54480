/**
 * Typed events. Listeners are snapshotted before dispatch (adding or removing one inside a
 * handler affects the next emit only); a throwing listener is reported, never propagated, so
 * user code cannot break the session's state machine.
 */
import type { Capabilities, ReactorError, ReactorMessage, ReactorStatus } from "@reactor-node/protocol";
import type { Track } from "./tracks/track.js";

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
}

/** A listener of event `K`. */
export type Listener<M, K extends keyof M> = M[K] extends unknown[] ? (...args: M[K]) => void : never;

type AnyListener = (...args: unknown[]) => void;

/** A minimal typed emitter; `on()` returns its own unsubscribe function. */
export class Emitter<M extends { [K in keyof M]: unknown[] }> {
  private readonly listeners = new Map<keyof M, Set<AnyListener>>();

  /** @param onListenerError receives whatever a listener throws (event name included). */
  constructor(private readonly onListenerError: (error: unknown, event: keyof M) => void) {}

  /** Subscribes; returns the unsubscribe function (idempotent). */
  on<K extends keyof M>(event: K, listener: Listener<M, K>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    // Wrapped so the same function registered twice is two subscriptions, each removable once.
    const fn = listener as unknown as AnyListener;
    const entry: AnyListener = (...args) => fn(...args);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Subscribes for one emission only. */
  once<K extends keyof M>(event: K, listener: Listener<M, K>): () => void {
    const fn = listener as unknown as AnyListener;
    const off = this.on(event, ((...args: unknown[]) => {
      off();
      fn(...args);
    }) as unknown as Listener<M, K>);
    return off;
  }

  /** Calls every listener registered at the time of the call; returns how many were called. */
  emit<K extends keyof M>(event: K, ...args: M[K]): number {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return 0;
    const snapshot = [...set];
    for (const listener of snapshot) {
      try {
        listener(...args);
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

  /** Drops every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
