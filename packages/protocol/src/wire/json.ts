/**
 * Command data as JSON, the same on both wires: v0 sends it as JSON text, v1 as a
 * `google.protobuf.Struct`, and both carry exactly the value this function returns.
 *
 * - `data` must be a plain object; keys are its own enumerable string keys (symbol keys are
 *   not data and are skipped, as `JSON.stringify` does).
 * - Numbers travel as IEEE-754 doubles on both wires, bit-exact as JavaScript holds them. An
 *   integer beyond 2^53 is sent as the double JavaScript already rounded it to (no further
 *   loss, no refusal); send a string when the exact digits matter. `-0` becomes `0`, as JSON
 *   text has it.
 * - `NaN`, `Infinity`, `bigint`, functions, symbols, `Map`, `Set`, typed arrays and other
 *   non-plain objects without `toJSON` are refused with INVALID_ARGUMENT naming the path
 *   (JSON would turn them into `null` or `{}` and lose them silently).
 * - `undefined` drops the key in an object and becomes `null` in an array (JSON's rule).
 * - A value with `toJSON()` (a `Date`, a nested `FileRef`) is replaced by its result.
 * - Cycles, and nesting deeper than {@link JSON_MAX_DEPTH} objects and arrays, are refused.
 */
import { reactorError } from "../errors.js";

/**
 * Deepest nesting of objects and arrays in command data (our choice): a v1 Struct spends two
 * protobuf messages per level, and the v1 decoder stops at 128 (`V1_DECODE_MAX_DEPTH`).
 */
export const JSON_MAX_DEPTH = 60;

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** True for `{}`-style objects (prototype `Object.prototype` or `null`). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Sets an own enumerable property, also for the key `__proto__` (a plain assignment would
 * replace the object's prototype instead: a hostile or unlucky key must stay data).
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function refuse(path: string, what: string): never {
  throw reactorError("INVALID_ARGUMENT", `${path}: ${what} cannot travel as JSON`);
}

interface Walk {
  seen: Set<object>;
  sortKeys: boolean;
}

function convert(value: unknown, path: string, walk: Walk, depth: number): JsonValue | undefined {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) refuse(path, String(value));
      return value === 0 ? 0 : value;
    case "undefined":
      return undefined;
    case "bigint":
      return refuse(path, `the bigint ${value}n`);
    case "function":
    case "symbol":
      return refuse(path, `a ${typeof value}`);
  }
  if (value === null) return null;
  const object = value as object;
  if (walk.seen.has(object)) refuse(path, "a circular reference");
  if (depth >= JSON_MAX_DEPTH) refuse(path, `nesting deeper than ${JSON_MAX_DEPTH} levels`);
  walk.seen.add(object);
  try {
    if (Array.isArray(object)) {
      return object.map((item, i) => convert(item, `${path}[${i}]`, walk, depth + 1) ?? null);
    }
    if (!isPlainObject(object)) refuse(path, `a ${object.constructor?.name ?? "non-plain object"}`);
    const out: JsonObject = {};
    const entries = Object.entries(object);
    if (walk.sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, item] of entries) {
      const converted = convert(item, `${path}.${key}`, walk, depth + 1);
      if (converted !== undefined) setOwn(out, key, converted);
    }
    return out;
  } finally {
    walk.seen.delete(object);
  }
}

/** Options of {@link toJsonObject}. */
export interface ToJsonOptions {
  /**
   * Order every object's keys by UTF-16 code unit, as deterministic protobuf encoders order
   * map keys (v1 uses it, so equal data gives equal bytes; v0 keeps the caller's order).
   */
  sortKeys?: boolean;
}

/**
 * The JSON object `data` stands for (see the file comment); throws INVALID_ARGUMENT naming
 * the offending path, e.g. `Command 'set_x' data.a[2]: NaN cannot travel as JSON`.
 */
export function toJsonObject(data: unknown, what: string, options: ToJsonOptions = {}): JsonObject {
  if (!isPlainObject(data)) throw reactorError("INVALID_ARGUMENT", `${what} data must be a plain object`);
  try {
    return convert(data, "data", { seen: new Set(), sortKeys: options.sortKeys === true }, 0) as JsonObject;
  } catch (error) {
    if (error instanceof Error && "code" in error) {
      throw reactorError("INVALID_ARGUMENT", `${what} ${error.message}`, { cause: error });
    }
    throw reactorError("INVALID_ARGUMENT", `${what} data is not JSON: ${String(error)}`, { cause: error });
  }
}
