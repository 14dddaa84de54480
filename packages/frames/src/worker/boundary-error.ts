import {
  isReactorError,
  isReactorErrorCode,
  type ReactorError,
  type ReactorErrorCode,
  type ReactorOperation,
  reactorError,
} from "@reactor-node/protocol";

/**
 * A ReactorError flattened for a thread boundary. comlink (and structured clone) keep only an
 * Error's `name`, `message` and `stack`, so a worker that threw a ReactorError would reach the main
 * thread without its code. Workers throw this plain object instead; the main thread rebuilds it
 * (`component` and `recoverable` follow from the code on both sides).
 */
export interface BoundaryError {
  readonly reactorBoundaryError: 1;
  code: ReactorErrorCode;
  message: string;
  operation?: ReactorOperation;
  retryAfter?: number;
  /** The cause's message (causes are not cloned across). */
  cause?: string;
}

/** True for a {@link BoundaryError}. */
function isBoundaryError(value: unknown): value is BoundaryError {
  return typeof value === "object" && value !== null && (value as BoundaryError).reactorBoundaryError === 1;
}

/**
 * Flattens anything thrown in a worker: a ReactorError keeps its code and fields; anything else
 * becomes `fallback` with its message.
 */
export function toBoundaryError(error: unknown, fallback: ReactorErrorCode): BoundaryError {
  const typed = isReactorError(error) ? error : undefined;
  const cause = typed ? typed.cause : error;
  return {
    reactorBoundaryError: 1,
    code: typed?.code ?? fallback,
    message: typed?.message ?? (error instanceof Error ? error.message : String(error)),
    ...(typed?.operation !== undefined && { operation: typed.operation }),
    ...(typed?.retryAfter !== undefined && { retryAfter: typed.retryAfter }),
    ...(cause !== undefined && { cause: cause instanceof Error ? cause.message : String(cause) }),
  };
}

/**
 * Rebuilds what a worker threw on this side, with the same code and fields. Anything that is not
 * a {@link BoundaryError} with a known code (comlink's own failures) becomes `fallback` with the
 * original as `cause`.
 */
export function fromBoundaryError(value: unknown, fallback: ReactorErrorCode): ReactorError {
  if (isReactorError(value)) return value;
  if (!isBoundaryError(value) || !isReactorErrorCode(value.code)) {
    const message = isBoundaryError(value) ? value.message : value instanceof Error ? value.message : String(value);
    return reactorError(fallback, message, { cause: value });
  }
  return reactorError(value.code, value.message, {
    ...(value.operation !== undefined && { operation: value.operation }),
    ...(value.retryAfter !== undefined && { retryAfter: value.retryAfter }),
    ...(value.cause !== undefined && { cause: value.cause }),
  });
}
