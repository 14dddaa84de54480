/**
 * Bounds on what a client can make the testkit keep or forward: the call history, the records
 * GPU peers report over the link, and the JSON inside them. A shared `reactor-testkit serve`
 * stays within these whatever its clients send (a 10 000-deep array, a 256 KiB frame, a flood).
 */

/** Entries each history list keeps by default (the oldest are dropped first). */
export const HISTORY_DEFAULT_MAX_ENTRIES = 10_000;
/** Approximate bytes the whole history keeps by default (the oldest entries are dropped first). */
export const HISTORY_DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** Largest request body kept in an HTTP record; larger ones are recorded by size only. */
export const HISTORY_MAX_BODY_BYTES = 64 * 1024;
/** Longest data-channel text kept in a record (and reported over the GPU link). */
export const HISTORY_MAX_TEXT_CHARS = 64 * 1024;
/** Longest free-text `detail` kept in an unhandled record. */
export const HISTORY_MAX_DETAIL_CHARS = 2 * 1024;
/** Deepest JSON value kept or forwarded; deeper values are replaced by a summary. */
const MAX_JSON_DEPTH = 64;
/** Largest JSON value (approximate bytes) kept in one record field; larger ones are summarised. */
const MAX_JSON_FIELD_BYTES = 64 * 1024;

/** What replaces a value that is too deep or too large to keep. */
export interface OmittedValue {
  /** Always true: tells a reader this is not the sender's value. */
  omitted: true;
  reason: string;
}

interface Measure {
  depth: number;
  bytes: number;
}

/**
 * Depth and approximate size of a JSON-like value, walked with an explicit stack (never
 * recursion, so any depth is safe); stops as soon as either bound is passed.
 */
function measure(value: unknown, maxDepth: number, maxBytes: number): Measure {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let depth = 0;
  let bytes = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > depth) depth = d;
    if (depth > maxDepth || bytes > maxBytes) break;
    if (typeof v === "string") bytes += v.length + 2;
    else if (typeof v !== "object" || v === null) bytes += 8;
    else if (Array.isArray(v)) {
      bytes += 2;
      for (const item of v) stack.push([item, d + 1]);
    } else {
      bytes += 2;
      for (const [k, item] of Object.entries(v)) {
        bytes += k.length + 3;
        stack.push([item, d + 1]);
      }
    }
  }
  return { depth, bytes };
}

/** Approximate bytes of a JSON-like value, counted up to `limit` (never recursive). */
export function approxBytes(value: unknown, limit = Number.MAX_SAFE_INTEGER): number {
  return measure(value, Number.POSITIVE_INFINITY, limit).bytes;
}

/** The value itself when it is at most `maxDepth` deep and `maxBytes` large, else a summary. */
export function boundedJson(
  value: unknown,
  maxDepth = MAX_JSON_DEPTH,
  maxBytes = MAX_JSON_FIELD_BYTES,
): unknown | OmittedValue {
  const m = measure(value, maxDepth, maxBytes);
  if (m.depth > maxDepth) return { omitted: true, reason: `nested deeper than ${maxDepth} levels` };
  if (m.bytes > maxBytes) return { omitted: true, reason: `larger than ${maxBytes} bytes` };
  return value;
}

/** `text` cut to `maxChars` (marked with `…` when cut). */
export function clip(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}…`;
}
