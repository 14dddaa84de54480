/**
 * The call shapes of the public calls: ours (an options object last) and the official JS SDK's
 * positional forms of `connect`, `sendCommand` and `disconnect` (`connect(jwt, options)`,
 * `sendCommand(type, data, scope)`, `disconnect(recoverable)`). Each is normalised here, and
 * anything else is INVALID_ARGUMENT before any I/O.
 */
import { isValidPreRegisteredConnectionId, type ReactorOperation, reactorError } from "@reactor-node/protocol";
import type { JwtInput } from "../auth/jwt-source.js";
import { checkOptions, describeValue, invalidArgument, is, isPlainObject } from "../validate.js";

/** Options of `Reactor.connect`. */
export interface ConnectOptions {
  signal?: AbortSignal;
  /** Adopt an existing session instead of creating one (it is never deleted by this client). */
  sessionId?: string;
  /** A connection id registered for this client by someone else (1000 < id ≤ 9999). */
  connectionId?: number;
  /** Resume every received track once ready (default: the constructor's `autoResumeTracks`, itself default true). */
  autoResumeTracks?: boolean;
  /** SDP-answer poll attempts for this connect (the official JS SDK's name; default the constructor's `sdpPollAttempts`). */
  maxAttempts?: number;
}

/** Options of `Reactor.sendCommand`. */
export interface SendCommandOptions {
  /** `application` (model command, default) or `runtime` (platform message). */
  scope?: MessageScope;
  signal?: AbortSignal;
}

/** Options of `Reactor.disconnect`. */
export interface DisconnectOptions {
  /** Keep the session for a later `reconnect()` instead of ending it. */
  recoverable?: boolean;
  signal?: AbortSignal;
}

/** The envelope scope of a message: model traffic or platform traffic. */
export type MessageScope = "application" | "runtime";

const SCOPES: readonly MessageScope[] = ["application", "runtime"];

const CONNECT_CHECKS = {
  signal: is.signal,
  sessionId: is.nonEmptyString,
  connectionId: (v: unknown) =>
    isValidPreRegisteredConnectionId(v) ? undefined : "an integer with 1000 < id ≤ 9999 (a pre-registered connection)",
  autoResumeTracks: is.boolean,
  maxAttempts: is.positiveInteger,
} satisfies Record<keyof ConnectOptions, (v: unknown) => string | undefined>;

const SIGNAL_CHECKS = { signal: is.signal };

const SEND_CHECKS = { scope: is.oneOf(SCOPES), signal: is.signal } satisfies Record<
  keyof SendCommandOptions,
  (v: unknown) => string | undefined
>;

const DISCONNECT_CHECKS = { recoverable: is.boolean, signal: is.signal } satisfies Record<
  keyof DisconnectOptions,
  (v: unknown) => string | undefined
>;

/** `connect()`, `connect(options)`, `connect(jwt)`, `connect(jwt, options)`, `connect(undefined, options)`. */
export function connectCall(first: unknown, second: unknown): { jwt?: JwtInput; options: ConnectOptions } {
  const call = "connect()";
  const options = (value: unknown): ConnectOptions => {
    const checked = checkOptions(call, value, CONNECT_CHECKS, "connect") as ConnectOptions;
    if (checked.connectionId !== undefined && checked.sessionId === undefined) {
      throw invalidArgument(
        call,
        "connectionId needs sessionId: a connection is registered under an existing session",
        "connect",
      );
    }
    return checked;
  };
  if (typeof first === "string" || typeof first === "function")
    return { jwt: first as JwtInput, options: options(second) };
  if (first === undefined || first === null) return { options: options(second) };
  if (second !== undefined) {
    throw invalidArgument(
      call,
      `the first argument must be a JWT (string or function), got ${describeValue(first)}`,
      "connect",
    );
  }
  return { options: options(first) };
}

/** `{signal?}` of a call that takes nothing else. */
export function signalCall(call: string, options: unknown, operation: ReactorOperation): { signal?: AbortSignal } {
  return checkOptions(call, options, SIGNAL_CHECKS, operation);
}

/** `sendCommand(type, data?, scope | options?)`. */
export function sendCommandCall(
  type: unknown,
  data: unknown,
  third: unknown,
): { type: string; data: Record<string, unknown>; options: SendCommandOptions } {
  if (typeof type !== "string" || type.length === 0) {
    throw invalidArgument(
      "sendCommand()",
      `the command type must be a non-empty string, got ${describeValue(type)}`,
      "command",
    );
  }
  const call = `sendCommand('${type}')`;
  // An array or a class instance (Date, Map…) would not reach the model as the object it looks like.
  if (data !== undefined && data !== null && !isPlainObject(data)) {
    throw invalidArgument(call, `data must be a plain object, got ${describeValue(data)}`, "command");
  }
  const payload = (data ?? {}) as Record<string, unknown>;
  if (typeof third === "string") {
    if (!(SCOPES as readonly string[]).includes(third)) {
      throw invalidArgument(call, `scope must be "application" or "runtime", got ${describeValue(third)}`, "command");
    }
    return { type, data: payload, options: { scope: third as MessageScope } };
  }
  return { type, data: payload, options: checkOptions(call, third, SEND_CHECKS, "command") };
}

/** `disconnect()`, `disconnect(recoverable)`, `disconnect(options)`. */
export function disconnectCall(arg: unknown): DisconnectOptions {
  if (typeof arg === "boolean") return { recoverable: arg };
  return checkOptions("disconnect()", arg, DISCONNECT_CHECKS, "disconnect");
}

/** `requestClip(seconds)`: a positive number of seconds. */
export function clipSecondsCall(seconds: unknown): number {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) {
    throw reactorError("INVALID_ARGUMENT", `requestClip() needs a positive number of seconds, got ${String(seconds)}`);
  }
  return seconds;
}
