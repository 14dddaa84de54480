/**
 * The one error family of the SDK. Every failure a user can observe is a {@link ReactorError}
 * (or a subclass where users branch on it); the same object is thrown and emitted.
 */

/** Which side of the service a failure belongs to: the coordinator/HTTP API or the GPU peer. */
export type ErrorComponent = "api" | "gpu";

interface ErrorCodeInfo {
  readonly component: ErrorComponent;
  readonly recoverable: boolean;
  readonly description: string;
}

/**
 * The closed list of error codes. The first three are the seed's; the rest are the other
 * conditions docs/protocol.md §3/§7 says a client reports. `recoverable` means "retrying or
 * reconnecting may succeed"; non-recoverable errors are never retried automatically.
 */
export const ERROR_CODES = {
  CONNECTION_FAILED: { component: "api", recoverable: true, description: "Failed to establish a connection" },
  GPU_CONNECTION_ERROR: { component: "gpu", recoverable: true, description: "Connection to GPU dropped" },
  RECONNECTION_FAILED: { component: "gpu", recoverable: true, description: "Failed to reconnect to existing session" },
  NOT_READY: { component: "api", recoverable: true, description: "The session is not ready for this operation" },
  MESSAGE_TOO_LARGE: {
    component: "gpu",
    recoverable: false,
    description: "Outbound message exceeds the data channel's maximum message size",
  },
  PUBLISH_REFUSED: {
    component: "gpu",
    recoverable: false,
    description: "The GPU peer refused to let this connection publish a track",
  },
  VERSION_MISMATCH: {
    component: "api",
    recoverable: false,
    description: "Client and server protocol versions are incompatible",
  },
  CONFLICT: {
    component: "api",
    recoverable: false,
    description: "The session or connection is held by another run, or was superseded",
  },
  UNAUTHORIZED: { component: "api", recoverable: false, description: "Missing, invalid or expired credentials" },
  NOT_FOUND: { component: "api", recoverable: false, description: "The session, connection or upload does not exist" },
  BAD_REQUEST: { component: "api", recoverable: false, description: "The server rejected the request" },
  RATE_LIMITED: { component: "api", recoverable: true, description: "Too many requests; retry after the given delay" },
  SERVER_ERROR: { component: "api", recoverable: true, description: "The server failed (5xx)" },
  NETWORK_ERROR: { component: "api", recoverable: true, description: "The network request failed" },
  INVALID_RESPONSE: {
    component: "api",
    recoverable: true,
    description: "The server sent a body that does not match the protocol",
  },
  UNSUPPORTED_TRANSPORT: {
    component: "api",
    recoverable: false,
    description: "The server selected a transport this SDK does not speak",
  },
  SESSION_TERMINAL: {
    component: "api",
    recoverable: false,
    description: "The session reached a terminal state (INACTIVE/CLOSED) while waiting",
  },
  SESSION_ENDED: { component: "gpu", recoverable: false, description: "The server ended the session" },
  SESSION_LOST: {
    component: "api",
    recoverable: true,
    description: "The session was lost on the server (400 on signalling)",
  },
  TIMEOUT: { component: "api", recoverable: true, description: "A polling budget or deadline ran out" },
  ABORTED: { component: "api", recoverable: false, description: "The operation was aborted by the caller" },
  INVALID_ARGUMENT: { component: "api", recoverable: false, description: "An argument passed to the SDK is invalid" },
  UPLOAD_FAILED: { component: "api", recoverable: true, description: "Uploading a file failed" },
  DECODE_ERROR: {
    component: "gpu",
    recoverable: true,
    description: "An inbound data-channel frame could not be decoded",
  },
  DATA_CHANNEL_CLOSED: { component: "gpu", recoverable: true, description: "A data channel closed unexpectedly" },
  CLIP_FAILED: { component: "gpu", recoverable: true, description: "A clip or recording request failed or timed out" },
  CLIP_EXPIRED: {
    component: "api",
    recoverable: false,
    description: "The clip or recording is no longer available (HTTP 410)",
  },
  FRAME_DECODE_ERROR: {
    component: "gpu",
    recoverable: true,
    description: "A received video frame could not be decoded",
  },
  FRAME_ENCODE_ERROR: {
    component: "gpu",
    recoverable: true,
    description: "A published video or audio frame could not be encoded",
  },
  WORKER_CRASHED: { component: "gpu", recoverable: true, description: "A frame worker thread died" },
  UNKNOWN_TRACK: {
    component: "gpu",
    recoverable: false,
    description: "The track is not part of this session's capabilities",
  },
  LISTENER_ERROR: {
    component: "api",
    recoverable: true,
    description: "A user event handler or callback threw; the session is unaffected",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** One of the codes in {@link ERROR_CODES}. */
export type ReactorErrorCode = keyof typeof ERROR_CODES;

/** Options for constructing a {@link ReactorError}. */
export interface ReactorErrorOptions {
  /** A stable code; prefer one of {@link ERROR_CODES}. */
  code: ReactorErrorCode | (string & {});
  message: string;
  recoverable: boolean;
  component: ErrorComponent;
  /** Suggested delay before retrying, in seconds (from `Retry-After`). */
  retryAfter?: number;
  cause?: unknown;
}

/** The SDK's error: a stable `code`, the `component` at fault and whether retrying may help. */
export class ReactorError extends Error {
  override readonly name: string = "ReactorError";
  readonly code: ReactorErrorCode | (string & {});
  /** When the error was created, in milliseconds since the Unix epoch. */
  readonly timestamp: number;
  readonly recoverable: boolean;
  readonly component: ErrorComponent;
  /** Suggested delay before retrying, in seconds. */
  declare readonly retryAfter?: number;

  constructor(options: ReactorErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.recoverable = options.recoverable;
    this.component = options.component;
    this.timestamp = Date.now();
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }

  /** `[component:CODE] message`, exactly like the seed SDK prints errors. */
  override toString(): string {
    return `[${this.component}:${this.code}] ${this.message}`;
  }

  /** A plain object for logs and JSON output (`cause` reduced to its message). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      timestamp: this.timestamp,
      recoverable: this.recoverable,
      component: this.component,
      ...(this.retryAfter !== undefined && { retryAfter: this.retryAfter }),
      ...(this.cause !== undefined && { cause: this.cause instanceof Error ? this.cause.message : String(this.cause) }),
    };
  }
}

/** Extra fields for {@link reactorError}. */
export interface ReactorErrorExtras {
  retryAfter?: number;
  cause?: unknown;
  /** Override the table's recoverability (e.g. a CONNECTION_FAILED caused by a 401). */
  recoverable?: boolean;
}

/** Builds a {@link ReactorError} whose component and recoverability come from {@link ERROR_CODES}. */
export function reactorError(code: ReactorErrorCode, message: string, extras: ReactorErrorExtras = {}): ReactorError {
  const info = ERROR_CODES[code];
  return new ReactorError({
    code,
    message,
    component: info.component,
    recoverable: extras.recoverable ?? info.recoverable,
    ...(extras.retryAfter !== undefined && { retryAfter: extras.retryAfter }),
    ...(extras.cause !== undefined && { cause: extras.cause }),
  });
}

/** Thrown on 409: the session/connection is held by another run, or was superseded by a newer offer. */
export class ConflictError extends ReactorError {
  override readonly name: string = "ConflictError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ code: "CONFLICT", message, recoverable: false, component: "api", cause: options.cause });
  }
}

/** Which side must upgrade after a version mismatch. */
export type UpgradeSide = "client" | "server";

/** Thrown on 426 (client too old) or 501 (server too old). Never recoverable. */
export class VersionMismatchError extends ReactorError {
  override readonly name: string = "VersionMismatchError";
  /** The API version this SDK speaks. */
  readonly clientVersion: string;
  /** The version the server asked for or speaks, when it said so. */
  readonly serverVersion: string | undefined;
  readonly mustUpgrade: UpgradeSide;
  constructor(options: { clientVersion: string; serverVersion?: string; mustUpgrade: UpgradeSide; cause?: unknown }) {
    const server = options.serverVersion ?? "unknown";
    const who =
      options.mustUpgrade === "client"
        ? "the client is too old: upgrade @reactor-node/client"
        : "the server is too old for this SDK: use an older SDK or wait for the server to upgrade";
    super({
      code: "VERSION_MISMATCH",
      message: `Protocol version mismatch (client speaks ${options.clientVersion}, server ${server}): ${who}`,
      recoverable: false,
      component: "api",
      cause: options.cause,
    });
    this.clientVersion = options.clientVersion;
    this.serverVersion = options.serverVersion;
    this.mustUpgrade = options.mustUpgrade;
  }
}

/** True for any error of the SDK's family (works across duplicated module copies too). */
export function isReactorError(value: unknown): value is ReactorError {
  if (value instanceof ReactorError) return true;
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ReactorError).code === "string" &&
    typeof (value as ReactorError).recoverable === "boolean" &&
    ((value as ReactorError).component === "api" || (value as ReactorError).component === "gpu")
  );
}

/** The abort error every cancellable method rejects with; `cause` is the signal's reason. */
export function abortError(signal: AbortSignal | undefined, what = "Operation"): ReactorError {
  return reactorError("ABORTED", `${what} was aborted`, { cause: signal?.reason });
}

/** Wraps anything thrown into a ReactorError with the given code, keeping ReactorErrors as they are. */
export function toReactorError(error: unknown, code: ReactorErrorCode, message?: string): ReactorError {
  if (isReactorError(error)) return error;
  const text = message ?? (error instanceof Error ? error.message : String(error));
  return reactorError(code, text, { cause: error });
}
