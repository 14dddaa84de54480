/**
 * Argument checks for the public surface. Plain JavaScript callers get no type checker, so every
 * option object is checked key by key before any I/O: a wrong type, an out-of-range value or an
 * unknown key (usually a typo, which would otherwise be silently ignored) is INVALID_ARGUMENT
 * naming the call, the key and what was expected.
 */
import { type ReactorError, type ReactorOperation, reactorError } from "@reactor-node/protocol";

/** Checks one value; returns what was expected when it does not fit, `undefined` when it does. */
export type Check = (value: unknown) => string | undefined;

/** A check for each key an options object may have. */
export type Checks = Readonly<Record<string, Check>>;

/** `typeof`, with `null` and arrays named (for messages). */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}

/** INVALID_ARGUMENT for `call` (in `operation`, when the call is one). */
export function invalidArgument(call: string, message: string, operation?: ReactorOperation): ReactorError {
  return reactorError("INVALID_ARGUMENT", `${call}: ${message}`, operation ? { operation } : {});
}

/** True for `{…}` (not null, an array, a function or a class instance such as an AbortSignal). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks an options object against `checks` (undefined values are skipped: they mean "default").
 * Throws INVALID_ARGUMENT for a non-object, an unknown key or a failing check.
 */
export function checkOptions(
  call: string,
  value: unknown,
  checks: Checks,
  operation?: ReactorOperation,
): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw invalidArgument(call, `expected an options object, got ${describeValue(value)}`, operation);
  }
  for (const [key, v] of Object.entries(value)) {
    const check = checks[key];
    if (!check) {
      throw invalidArgument(call, `unknown option '${key}' (options: ${Object.keys(checks).join(", ")})`, operation);
    }
    if (v === undefined) continue;
    const expected = check(v);
    if (expected !== undefined) {
      throw invalidArgument(call, `option '${key}' must be ${expected}, got ${describeValue(v)}`, operation);
    }
  }
  return value;
}

/** Common checks. */
export const is = {
  boolean: ((v) => (typeof v === "boolean" ? undefined : "a boolean")) as Check,
  function: ((v) => (typeof v === "function" ? undefined : "a function")) as Check,
  nonEmptyString: ((v) => (typeof v === "string" && v.length > 0 ? undefined : "a non-empty string")) as Check,
  plainObject: ((v) => (isPlainObject(v) ? undefined : "a plain object")) as Check,
  signal: ((v) => (v instanceof AbortSignal ? undefined : "an AbortSignal")) as Check,
  /** A finite number > 0 (a duration in ms). */
  positiveMs: ((v) =>
    typeof v === "number" && Number.isFinite(v) && v > 0 ? undefined : "a positive number of ms") as Check,
  positiveInteger: ((v) =>
    typeof v === "number" && Number.isInteger(v) && v > 0 ? undefined : "a positive integer") as Check,
  /** An absolute http(s) URL. */
  httpUrl: ((v) => {
    if (typeof v !== "string") return "an http(s) URL string";
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      return "an absolute http(s) URL";
    }
    return url.protocol === "http:" || url.protocol === "https:" ? undefined : "an http: or https: URL";
  }) as Check,
  /** One of `values`. */
  oneOf:
    (values: readonly string[]): Check =>
    (v) =>
      typeof v === "string" && values.includes(v) ? undefined : `one of ${values.map((x) => `"${x}"`).join(", ")}`,
  /** Either check passes. */
  either:
    (a: Check, b: Check): Check =>
    (v) => {
      const first = a(v);
      if (first === undefined) return undefined;
      const second = b(v);
      return second === undefined ? undefined : `${first} or ${second}`;
    },
};
