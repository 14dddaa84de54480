/** Command data is the same JSON on both wires (src/wire/json.ts): what travels, what is refused. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ClientMessage,
  FileRef,
  JSON_MAX_DEPTH,
  ReactorError,
  V0_CODEC,
  V1_CODEC,
  type WireCodec,
} from "../src/index.js";

/** The data a command arrives with on the other side of `codec`. */
function roundTrip(codec: WireCodec, data: Record<string, unknown>): unknown {
  const frame = codec.encodeClient({ kind: "command", type: "c", data, requestId: "data_1" });
  const decoded = codec.decodeClient(frame.channel, frame.payload);
  if (!decoded.ok) throw decoded.error;
  return (decoded.message as Extract<ClientMessage, { kind: "command" }>).data;
}

function refusal(codec: WireCodec, data: unknown): ReactorError | undefined {
  try {
    codec.encodeClient({ kind: "command", type: "set_x", data: data as Record<string, unknown>, requestId: "data_1" });
  } catch (error) {
    return error as ReactorError;
  }
  return undefined;
}

describe.each([V0_CODEC, V1_CODEC])("command data on $name", (codec) => {
  it("carries every JSON value, numbers as doubles (integers beyond 2^53 as JavaScript already holds them)", () => {
    const data = {
      s: "é€😀",
      t: true,
      f: false,
      n: null,
      i: 42,
      neg: -1.5,
      tiny: 5e-324,
      big: 2 ** 53 + 2,
      huge: 1.7976931348623157e308,
      list: [1, "two", null, [], {}],
      nested: { deeper: { deepest: [{ x: 1 }] } },
    };
    expect(roundTrip(codec, data)).toEqual(data);
    // 2^53 + 1 has no double: JavaScript rounds it while parsing, the wire adds nothing.
    const out = roundTrip(codec, { big: Number("9007199254740993") }) as { big: number };
    expect(out.big).toBe(2 ** 53);
  });

  it("applies JSON's rules for undefined, -0, symbol keys and toJSON", () => {
    const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const ref = new FileRef({ uploadId: "u", name: "n", mimeType: "m", size: 1 });
    const data = { gone: undefined, list: [undefined, 1], zero: -0, [Symbol("s")]: 1, date, nested: { ref } };
    expect(roundTrip(codec, data)).toEqual({
      list: [null, 1],
      zero: 0,
      date: "2026-01-02T03:04:05.000Z",
      nested: { ref: { upload_id: "u", name: "n", mime_type: "m", size: 1 } },
    });
    expect(Object.is((roundTrip(codec, { zero: -0 }) as { zero: number }).zero, 0)).toBe(true);
  });

  it("keeps a `__proto__` key as data, never as a prototype", () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const out = roundTrip(codec, data) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out).sort()).toEqual(["__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses what JSON would silently lose, naming the path", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    let deep: Record<string, unknown> = {};
    for (let i = 1; i < JSON_MAX_DEPTH; i++) deep = { d: deep };
    const cases: Array<[unknown, RegExp]> = [
      [{ a: Number.NaN }, /data\.a: NaN/],
      [{ a: [1, Number.POSITIVE_INFINITY] }, /data\.a\[1\]: Infinity/],
      [{ a: { b: -Number.POSITIVE_INFINITY } }, /data\.a\.b: -Infinity/],
      [{ n: 1n }, /data\.n: the bigint 1n/],
      [{ f: () => 1 }, /data\.f: a function/],
      [{ s: Symbol("x") }, /data\.s: a symbol/],
      [{ m: new Map([["a", 1]]) }, /data\.m: a Map/],
      [{ u: new Uint8Array(2) }, /data\.u: a Uint8Array/],
      [circular, /data\.self\S*: a circular reference/],
      [{ deeper: deep }, /nesting deeper than 60 levels/],
      [[1, 2], /data must be a plain object/],
      ["text", /data must be a plain object/],
    ];
    for (const [data, pattern] of cases) {
      const error = refusal(codec, data);
      expect(error, String(pattern)).toBeInstanceOf(ReactorError);
      expect(error?.code).toBe("INVALID_ARGUMENT");
      expect(error?.message).toMatch(/^Command 'set_x' /);
      expect(error?.message).toMatch(pattern);
    }
    // Exactly JSON_MAX_DEPTH levels (the data object included) still travel.
    expect(refusal(codec, deep)).toBeUndefined();
    expect(roundTrip(codec, deep)).toEqual(deep);
  });
});

describe("both wires carry the same command", () => {
  it("for any JSON object, v1 delivers exactly what v0 delivers (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 6 })), (data) => {
        expect(roundTrip(V1_CODEC, data)).toStrictEqual(roundTrip(V0_CODEC, data));
      }),
      { numRuns: 500 },
    );
  });
});
