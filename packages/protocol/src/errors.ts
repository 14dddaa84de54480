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
 * The closed list of error codes. The first three are the seed's, kept for exactly what they
 * name: a transport that could not be established by `connect()` (CONNECTION_FAILED) or by
 * `reconnect()` (RECONNECTION_FAILED), and a ready GPU connection that dropped
 * (GPU_CONNECTION_ERROR). Every other failure keeps its own code up to the user (a 401 during
 * `connect()` is UNAUTHORIZED), and the failed call is named by `ReactorError.operation`.
 *
 * `recoverable` ("retrying or reconnecting may succeed") and `component` are properties of
 * the code, read only from this table: a call that needs a different recoverability needs a
 * different code. Non-recoverable errors are never retried automatically.
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
  REDIRECT_REFUSED: {
    component: "api",
    recoverable: false,
    description: "The server redirected a coordinator request to another origin; it was not followed",
  },
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
  DECODE_ERROR: {
    component: "gpu",
    recoverable: true,
    description: "An inbound data-channel frame could not be decoded",
  },
  DATA_CHANNEL_CLOSED: { component: "gpu", recoverable: true, description: "A data channel closed unexpectedly" },
  SEND_QUEUE_FULL: {
    component: "gpu",
    recoverable: true,
    description: "A data channel's outbound queue is full; send again once it drains",
  },
  CLIP_FAILED: { component: "gpu", recoverable: true, description: "A clip or recording request failed or timed out" },
  CLIP_EXPIRED: {
    component: "api",
    recoverable: false,
    description: "The clip or recording is no longer available (HTTP 410)",
  },
  INVALID_COMMAND: {
    component: "gpu",
    recoverable: false,
    description:
      "The model rejected a command (unknown, unexpected argument, wrong type, constraint, missing argument)",
  },
  UNRESOLVED_UPLOAD: {
    component: "gpu",
    recoverable: true,
    description: "A command referred to an upload the GPU could not resolve in time",
  },
  INTERNAL_ERROR: { component: "gpu", recoverable: true, description: "The model's handler failed on the GPU" },
  MODEL_ERROR: {
    component: "gpu",
    recoverable: false,
    description: "The model answered a request with an error code of its own (see ModelError.modelCode)",
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
  WORKER_CRASHED: { component: "gpu", recoverable: true, description: "A frame worker thread died and was restarted" },
  WORKER_FAILED: {
    component: "gpu",
    recoverable: false,
    description: "A frame worker kept crashing and was not restarted; decoding stopped",
  },
  CODEC_UNAVAILABLE: {
    component: "gpu",
    recoverable: false,
    description: "No decoder or encoder for the media could be loaded or opened",
  },
  FRAME_SOURCE_FAILED: {
    component: "api",
    recoverable: false,
    description: "The frame source a frame processor reads from threw something that is not a ReactorError",
  },
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

/** True for a string that is one of {@link ERROR_CODES} (e.g. a code read back from a worker or a log). */
export function isReactorErrorCode(value: unknown): value is ReactorErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

/** Whether retrying may help after an error with `code`: the one place recoverability is decided. */
export function isRecoverableCode(code: ReactorErrorCode): boolean {
  return ERROR_CODES[code].recoverable;
}

/**
 * The public call (or running activity) an error belongs to: `connect`/`reconnect`/
 * `disconnect`/`command`/`upload`/`token` are the methods of that name (`schema`: `requestSchema`); `session` is a failure
 * of the running session no call caused (a drop, the server ending it, an undecodable message);
 * `track`, `publish` and `clip` are track frames/control, publishing and clip or recording requests.
 */
export type ReactorOperation =
  | "connect"
  | "reconnect"
  | "disconnect"
  | "command"
  | "upload"
  | "token"
  | "schema"
  | "session"
  | "track"
  | "publish"
  | "clip";

/** Options for constructing a {@link ReactorError}; `component` and `recoverable` come from the code. */
export interface ReactorErrorOptions {
  code: ReactorErrorCode;
  message: string;
  /** The call that failed, when known at construction (else recorded later by {@link inOperation}). */
  operation?: ReactorOperation;
  /** Suggested delay before retrying, in seconds (from `Retry-After`). */
  retryAfter?: number;
  cause?: unknown;
}

// Brands shared by every copy of this package in a process (undici's pattern): `instanceof`
// must work when an application ends up with two copies, e.g. a bundled SDK next to a direct one.
const REACTOR_ERROR_BRAND = Symbol.for("@reactor-node/protocol.ReactorError");
const CONFLICT_ERROR_BRAND = Symbol.for("@reactor-node/protocol.ConflictError");
const VERSION_MISMATCH_ERROR_BRAND = Symbol.for("@reactor-node/protocol.VersionMismatchError");

function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** The SDK's error: a stable `code`, the `component` at fault and whether retrying may help. */
export class ReactorError extends Error {
  override readonly name: string = "ReactorError";
  readonly code: ReactorErrorCode;
  /** When the error was created, in milliseconds since the Unix epoch. */
  readonly timestamp: number;
  /** From the code ({@link isRecoverableCode}). */
  readonly recoverable: boolean;
  /** From the code. */
  readonly component: ErrorComponent;
  /** The call that failed (see {@link ReactorOperation}); set once. */
  declare readonly operation?: ReactorOperation;
  /** Suggested delay before retrying, in seconds. */
  declare readonly retryAfter?: number;

  /** True for a ReactorError of any copy of this package (subclasses included). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // A subclass without a brand of its own (e.g. the testkit's HttpError) keeps plain instanceof.
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was asked about, maybe a subclass.
    if (this !== ReactorError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, REACTOR_ERROR_BRAND);
  }

  constructor(options: ReactorErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    const info = ERROR_CODES[options.code] as ErrorCodeInfo | undefined;
    if (!info) throw new TypeError(`Unknown ReactorError code '${String(options.code)}'`);
    this.code = options.code;
    this.recoverable = info.recoverable;
    this.component = info.component;
    this.timestamp = Date.now();
    if (options.operation !== undefined) this.operation = options.operation;
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
      ...(this.operation !== undefined && { operation: this.operation }),
      ...(this.retryAfter !== undefined && { retryAfter: this.retryAfter }),
      ...(this.cause !== undefined && { cause: this.cause instanceof Error ? this.cause.message : String(this.cause) }),
    };
  }
}

/** Extra fields for {@link reactorError}. */
export interface ReactorErrorExtras {
  operation?: ReactorOperation;
  retryAfter?: number;
  cause?: unknown;
}

/** Builds a {@link ReactorError}; its component and recoverability come from {@link ERROR_CODES}. */
export function reactorError(code: ReactorErrorCode, message: string, extras: ReactorErrorExtras = {}): ReactorError {
  return new ReactorError({
    code,
    message,
    ...(extras.operation !== undefined && { operation: extras.operation }),
    ...(extras.retryAfter !== undefined && { retryAfter: extras.retryAfter }),
    ...(extras.cause !== undefined && { cause: extras.cause }),
  });
}

/**
 * Records the public call an error belongs to and returns the same object, so what is thrown
 * is what is emitted. The first recording wins: an error already tagged (by a nested call)
 * keeps its operation.
 */
export function inOperation<E extends ReactorError>(error: E, operation: ReactorOperation): E {
  if (error.operation === undefined) {
    Object.defineProperty(error, "operation", { value: operation, enumerable: true, configurable: false });
  }
  return error;
}

/** Thrown on 409: the session/connection is held by another run, or was superseded by a newer offer. */
export class ConflictError extends ReactorError {
  override readonly name: string = "ConflictError";

  /** True for a ConflictError of any copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was asked about, maybe a subclass.
    if (this !== ConflictError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, CONFLICT_ERROR_BRAND);
  }

  constructor(message: string, options: { cause?: unknown; operation?: ReactorOperation } = {}) {
    super({ code: "CONFLICT", message, ...options });
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

  /** True for a VersionMismatchError of any copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was asked about, maybe a subclass.
    if (this !== VersionMismatchError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, VERSION_MISMATCH_ERROR_BRAND);
  }

  constructor(options: {
    clientVersion: string;
    serverVersion?: string;
    mustUpgrade: UpgradeSide;
    cause?: unknown;
    operation?: ReactorOperation;
  }) {
    const server = options.serverVersion ?? "unknown";
    const who =
      options.mustUpgrade === "client"
        ? "the client is too old: upgrade @reactor-node/client"
        : "the server is too old for this SDK: use an older SDK or wait for the server to upgrade";
    super({
      code: "VERSION_MISMATCH",
      message: `Protocol version mismatch (client speaks ${options.clientVersion}, server ${server}): ${who}`,
      ...(options.cause !== undefined && { cause: options.cause }),
      ...(options.operation !== undefined && { operation: options.operation }),
    });
    this.clientVersion = options.clientVersion;
    this.serverVersion = options.serverVersion;
    this.mustUpgrade = options.mustUpgrade;
  }
}

// The brands live on the prototypes, so every instance (and every subclass instance) carries them.
for (const [cls, brand] of [
  [ReactorError, REACTOR_ERROR_BRAND],
  [ConflictError, CONFLICT_ERROR_BRAND],
  [VersionMismatchError, VERSION_MISMATCH_ERROR_BRAND],
] as const) {
  Object.defineProperty(cls.prototype, brand, { value: true });
}

/** True for any error of the SDK's family, from any copy of this package (the brand, not the shape). */
export function isReactorError(value: unknown): value is ReactorError {
  return value instanceof ReactorError;
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
