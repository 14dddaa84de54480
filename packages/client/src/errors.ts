/**
 * How the client turns failures into the errors users see (docs/protocol.md §7). A user callback
 * that throws is reported as {@link LISTENER_ERROR} (recoverable, never affects the session).
 */
import {
  ConflictError,
  isReactorError,
  type ReactorError,
  type ReactorErrorCode,
  reactorError,
  VersionMismatchError,
} from "@reactor-node/protocol";

/** Code of the error reported when a user event handler or callback throws. */
export const LISTENER_ERROR = "LISTENER_ERROR" satisfies ReactorErrorCode;

/** Wraps whatever a user callback threw. */
export function listenerError(error: unknown, where: string): ReactorError {
  return reactorError(LISTENER_ERROR, `A ${where} threw: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}

/**
 * The error `connect()` / `reconnect()` reject with (and emit):
 * - the caller's abort stays the ABORTED error (cause = the abort reason);
 * - {@link VersionMismatchError} and {@link ConflictError} keep their identity, so
 *   `instanceof` checks work as the seed promises ("raised when…");
 * - everything else becomes `code` (CONNECTION_FAILED or RECONNECTION_FAILED) with the
 *   underlying error as `cause` and its recoverability (a 401 makes it non-recoverable).
 */
export function wrapConnectFailure(error: unknown, code: ReactorErrorCode, message: string): ReactorError {
  if (isReactorError(error)) {
    if (error.code === "ABORTED") return error;
    if (error instanceof VersionMismatchError || error instanceof ConflictError) return error;
    return reactorError(code, `${message}: ${error.message}`, { cause: error, recoverable: error.recoverable });
  }
  return reactorError(code, `${message}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
