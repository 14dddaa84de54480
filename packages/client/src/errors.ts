/**
 * How the client turns failures into the errors users see (docs/protocol.md §7). The rule:
 * an error keeps its own code from where it happened to the user, and the public call that
 * failed is recorded in `operation`. Only a WebRTC transport that could not be established is
 * reported with the seed's CONNECTION_FAILED (by `connect()`) or RECONNECTION_FAILED (by
 * `reconnect()`), the reason as `cause`. A user callback that throws is reported as
 * {@link LISTENER_ERROR} (recoverable, never affects the session).
 */
import {
  inOperation,
  isReactorError,
  type ReactorError,
  type ReactorErrorCode,
  reactorError,
} from "@reactor-node/protocol";

/** Code of the error reported when a user event handler or callback throws. */
export const LISTENER_ERROR = "LISTENER_ERROR" satisfies ReactorErrorCode;

/** The two calls that establish a connection. */
export type ConnectKind = "connect" | "reconnect";

/** Wraps whatever a user callback threw. */
export function listenerError(error: unknown, where: string): ReactorError {
  return reactorError(LISTENER_ERROR, `A ${where} threw: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
    operation: "session",
  });
}

/**
 * The error `connect()` / `reconnect()` reject with (and emit): a ReactorError is the same
 * object, with `operation` recorded; anything else (a bug, never expected) becomes the
 * operation's could-not-connect code with the thrown value as `cause`.
 */
export function connectFailure(error: unknown, kind: ConnectKind): ReactorError {
  if (isReactorError(error)) return inOperation(error, kind);
  const detail = error instanceof Error ? error.message : String(error);
  return transportNotEstablished(error, kind, detail);
}

/**
 * The WebRTC transport of a connect/reconnect could not be established (the peer failed, a
 * channel closed or the readiness gate timed out before ready): CONNECTION_FAILED or
 * RECONNECTION_FAILED, the reason as `cause`. An abort stays the abort.
 */
export function establishFailure(error: unknown, kind: ConnectKind): ReactorError {
  if (isReactorError(error) && error.code === "ABORTED") return error;
  const detail = error instanceof Error ? error.message : String(error);
  return transportNotEstablished(error, kind, detail);
}

function transportNotEstablished(cause: unknown, kind: ConnectKind, detail: string): ReactorError {
  const code = kind === "connect" ? "CONNECTION_FAILED" : "RECONNECTION_FAILED";
  const what = kind === "connect" ? "Failed to connect" : "Failed to reconnect";
  return reactorError(code, `${what}: ${detail}`, { cause, operation: kind });
}
