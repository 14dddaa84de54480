/**
 * Hostile data-channel frames from a seed: what the `fuzz-messages` fault makes a GPU send, and
 * what the reliability suite sends at the GPU. Each frame is one of: random bytes, random text
 * (the empty string included), broken JSON, JSON nested thousands deep, envelopes and control
 * messages with wrong or random fields, known runtime messages with bad payloads, prototype keys,
 * lone surrogates and messages near the 256 KiB limit. The same seed gives the same frames.
 * Messages that end a session (`sessionEnded`, moderation `terminate`) are never generated: the
 * point is that everything after the fuzz still works.
 */

/** One fuzzed frame and the channel it goes on. */
export interface FuzzFrame {
  channel: "data" | "control";
  frame: string | Uint8Array;
  /** Which generator made it (for reports). */
  kind: string;
}

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RUNTIME_TYPES = ["modelSchema", "requestSchema", "fileUploaded", "clipFailed", "clip", "ping", "pong", "x"];
const CONTROL_EVENTS = ["pause_track", "resume_track", "unpublish_track", "publish_track", "nope", ""];
const NEAR_LIMIT_BYTES = 250 * 1024;

/** Frames from `seed`, forever (take as many as needed). */
export function* fuzzFrames(seed: number): Generator<FuzzFrame> {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const text = (max: number) => {
    const n = int(max + 1);
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(rand() < 0.9 ? 32 + int(95) : int(0xffff));
    return s;
  };
  const value = (depth: number): unknown => {
    const r = int(depth > 3 ? 5 : 8);
    if (r === 0) return null;
    if (r === 1) return rand() < 0.5;
    if (r === 2) return rand() < 0.5 ? int(1e9) - 5e8 : rand() * 1e308;
    if (r === 3 || r === 4) return text(40);
    if (r === 5) return Array.from({ length: int(5) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = int(5); i > 0; i--)
      o[rand() < 0.2 ? pick(["__proto__", "constructor", "prototype"]) : text(8)] = value(depth + 1);
    return o;
  };
  const deep = () => {
    const n = 1000 + int(9000);
    return rand() < 0.5 ? `${"[".repeat(n)}${"]".repeat(n)}` : `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
  };
  const generators: Array<[string, () => Omit<FuzzFrame, "kind">]> = [
    [
      "bytes",
      () => ({
        channel: pick(["data", "control"] as const),
        frame: Uint8Array.from({ length: int(512) }, () => int(256)),
      }),
    ],
    ["text", () => ({ channel: pick(["data", "control"] as const), frame: rand() < 0.1 ? "" : text(256) })],
    [
      "broken-json",
      () => ({
        channel: pick(["data", "control"] as const),
        frame: pick(['{"scope":', "[1,2", '"open', "{]", "nul", '{"a":1}}']),
      }),
    ],
    ["deep-json", () => ({ channel: pick(["data", "control"] as const), frame: deep() })],
    [
      "envelope",
      () => ({
        channel: "data",
        frame: JSON.stringify({
          scope: pick(["application", "runtime", "nonsense", 42, null, ""]),
          data:
            rand() < 0.2
              ? value(0)
              : {
                  type: rand() < 0.8 ? text(20) : value(2),
                  data: value(0),
                  uploads: rand() < 0.2 ? value(1) : undefined,
                },
        }),
      }),
    ],
    [
      "runtime",
      () => ({
        channel: "data",
        frame: JSON.stringify({ scope: "runtime", data: { type: pick(RUNTIME_TYPES), data: value(0) } }),
      }),
    ],
    [
      "control",
      () => ({
        channel: "control",
        frame: JSON.stringify(
          pick([
            { type: "response", method: text(20), request_id: pick(["ctrl_1", "data_1", text(10), 7]), data: value(0) },
            {
              type: "response",
              method: "publish_track",
              request_id: `ctrl_${int(5)}`,
              error: { code: text(10), message: value(1) },
            },
            { type: "notification", event: pick(CONTROL_EVENTS), data: { name: rand() < 0.5 ? text(20) : value(1) } },
            { type: "request", method: text(30), request_id: text(10), data: value(1) },
            { type: pick(["", "nope", 1, null]) },
          ]),
        ),
      }),
    ],
    [
      "prototype",
      () => ({
        channel: pick(["data", "control"] as const),
        frame:
          '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"scope":"application","data":{"type":"__proto__","data":{"__proto__":null}}}',
      }),
    ],
    [
      "surrogates",
      () => ({
        channel: pick(["data", "control"] as const),
        frame: `{"scope":"application","data":{"type":"\ud800","data":"\udfff${text(10)}"}}`,
      }),
    ],
    [
      "near-limit",
      () => ({
        channel: "data",
        frame: JSON.stringify({
          scope: "application",
          data: { type: "big", data: "x".repeat(NEAR_LIMIT_BYTES - 64 - int(1024)) },
        }),
      }),
    ],
  ];
  for (;;) {
    // Near-limit frames are rare (they cost bandwidth, not coverage).
    let index = int(generators.length);
    if (generators[index]![0] === "near-limit" && rand() < 0.9) index = 0;
    const [kind, make] = generators[index]!;
    yield { ...make(), kind };
  }
}
