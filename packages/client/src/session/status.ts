/**
 * The public status (docs/protocol.md §7) and every transition to it, in one place:
 *
 *   disconnected → connecting → waiting → ready
 *        ↑______________|__________|________|   (failure, drop, session end, disconnect)
 *
 * The session lifecycle and the public object report what happened (a {@link StatusEvent});
 * only this table turns that into a status. There is no "failed" status, and a transition to
 * the current status is not re-emitted.
 */
import type { ReactorStatus } from "@reactor-node/protocol";

/** What happened, as far as the status is concerned. */
export type StatusEvent =
  /** `connect()`/`reconnect()` began (or started over): negotiating with the coordinator. */
  | "negotiating"
  /** The session exists (created, adopted or checked): waiting for a GPU and the transport. */
  | "session-acquired"
  /** The connection passed the readiness gate. */
  | "transport-ready"
  /** A `connect()`/`reconnect()` failed (or was aborted). */
  | "operation-failed"
  /** A ready connection was lost; the session is kept for a reconnect. */
  | "connection-lost"
  /** The server ended the session. */
  | "session-ended"
  /** `disconnect()` finished. */
  | "disconnected";

const NEXT_STATUS: Readonly<Record<StatusEvent, ReactorStatus>> = Object.freeze({
  negotiating: "connecting",
  "session-acquired": "waiting",
  "transport-ready": "ready",
  "operation-failed": "disconnected",
  "connection-lost": "disconnected",
  "session-ended": "disconnected",
  disconnected: "disconnected",
});

/** The current status; `onChange` hears every real transition once. */
export class SessionStatus {
  private current: ReactorStatus = "disconnected";

  constructor(private readonly onChange: (status: ReactorStatus, event: StatusEvent) => void) {}

  /** The current status. */
  get value(): ReactorStatus {
    return this.current;
  }

  /** Applies `event`. */
  apply(event: StatusEvent): void {
    const next = NEXT_STATUS[event];
    if (next === this.current) return;
    this.current = next;
    this.onChange(next, event);
  }
}
