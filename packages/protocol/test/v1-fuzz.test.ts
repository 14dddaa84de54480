import { readFileSync } from "node:fs";
/** Whatever arrives, the wire decoders return a typed message or a typed DECODE_ERROR; they never throw. */
import { create, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReactorError, V0_CODEC, V1_CODEC, v1Proto, type WireCodec } from "../src/index.js";

const KINDS = ["command", "runtime", "request", "notification", "response", "model", "legacy", "unknown"];

function assertTotal(codec: WireCodec, frame: unknown) {
  for (const channel of ["data", "control"] as const) {
    for (const decode of [codec.decodeClient, codec.decodeServer]) {
      let result: ReturnType<typeof decode> | undefined;
      expect(() => {
        result = decode(channel, frame);
      }).not.toThrow();
      if (result!.ok) expect(KINDS).toContain(result!.message.kind);
      else {
        expect(result!.error).toBeInstanceOf(ReactorError);
        expect(result!.error.code).toBe("DECODE_ERROR");
      }
    }
  }
}

// The golden v1 frames, mutated below.
const seeds: Uint8Array[] = JSON.parse(
  readFileSync(new URL("./vectors/v1-messages.json", import.meta.url), "utf8"),
).vectors.map((v: { hex: string }) => Uint8Array.from(Buffer.from(v.hex, "hex")));

/** A valid vector with some bytes overwritten, inserted or cut. */
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.nat(),
  )
  .map(([seed, edits, cut]) => {
    const bytes = Uint8Array.from(seed);
    for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
    return bytes.subarray(0, bytes.length === 0 ? 0 : cut % (bytes.length + 1) || bytes.length);
  });

const { MessageKind } = v1Proto;
const kind = fc.constantFrom(
  MessageKind.UNSPECIFIED,
  MessageKind.REQUEST,
  MessageKind.RESPONSE,
  MessageKind.NOTIFICATION,
  9,
);
const struct = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })) as fc.Arbitrary<never>;

/** Well-formed protobuf with arbitrary field values, for every envelope. */
const envelopes = fc.oneof(
  fc
    .record({
      requestId: fc.string(),
      kind,
      type: fc.string(),
      data: struct,
      size: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
    })
    .map((r) =>
      toBinary(
        v1Proto.DataClientMessageSchema,
        create(v1Proto.DataClientMessageSchema, {
          requestId: r.requestId,
          kind: r.kind,
          payload: {
            case: "command",
            value: {
              type: r.type,
              data: r.data,
              uploads: { f: { uploadId: r.type, name: "n", mimeType: "m", size: r.size } },
            },
          },
        }),
      ),
    ),
  fc.record({ requestId: fc.string(), kind, type: fc.string(), data: struct }).map((r) =>
    toBinary(
      v1Proto.DataServerMessageSchema,
      create(v1Proto.DataServerMessageSchema, {
        requestId: r.requestId,
        kind: r.kind,
        payload: { case: "message", value: { type: r.type, data: r.data } },
      }),
    ),
  ),
  fc
    .record({
      requestId: fc.string(),
      kind,
      text: fc.string(),
      number: fc.double(),
      ms: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      which: fc.nat(5),
    })
    .map((r) => {
      const payloads: Array<
        NonNullable<Parameters<typeof create<typeof v1Proto.ControlServerMessageSchema>>[1]>["payload"]
      > = [
        { case: "clipReady" as const, value: { kind: r.text, startMarker: r.number, predictedReadyAtMs: r.ms } },
        { case: "moderation" as const, value: { action: r.text, categories: [r.text] } },
        { case: "sessionEnded" as const, value: { reason: r.text } },
        { case: "publishTrack" as const, value: { name: r.text } },
        { case: "error" as const, value: { code: r.text, message: r.text } },
        { case: "clipFailed" as const, value: { reason: r.text } },
      ];
      return toBinary(
        v1Proto.ControlServerMessageSchema,
        create(v1Proto.ControlServerMessageSchema, {
          requestId: r.requestId,
          kind: r.kind,
          payload: payloads[r.which]!,
        }),
      );
    }),
  fc.record({ requestId: fc.string(), kind, text: fc.string(), number: fc.double(), which: fc.nat(4) }).map((r) => {
    const payloads: Array<
      NonNullable<Parameters<typeof create<typeof v1Proto.ControlClientMessageSchema>>[1]>["payload"]
    > = [
      { case: "requestClip" as const, value: { durationSeconds: r.number } },
      { case: "fileUploaded" as const, value: { uploadId: r.text, size: -1n } },
      { case: "resumeTrack" as const, value: { name: r.text } },
      { case: "publishTrack" as const, value: { name: r.text } },
      { case: "ping" as const, value: {} },
    ];
    return toBinary(
      v1Proto.ControlClientMessageSchema,
      create(v1Proto.ControlClientMessageSchema, { requestId: r.requestId, kind: r.kind, payload: payloads[r.which]! }),
    );
  }),
);

describe("v1 decoder totality (property-based)", () => {
  it("arbitrary bytes", () =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (b) => assertTotal(V1_CODEC, b)),
      { numRuns: 2000 },
    ));
  it("golden vectors with bytes overwritten or cut", () =>
    fc.assert(
      fc.property(mutated, (b) => assertTotal(V1_CODEC, b)),
      { numRuns: 2000 },
    ));
  it("well-formed envelopes with arbitrary field values", () =>
    fc.assert(
      fc.property(envelopes, (b) => assertTotal(V1_CODEC, b)),
      { numRuns: 1500 },
    ));
  it("strings and other non-byte values", () =>
    fc.assert(
      fc.property(fc.anything(), (v) => assertTotal(V1_CODEC, v)),
      { numRuns: 500 },
    ));
});

describe("the v0 codec behind the same interface (property-based)", () => {
  it("arbitrary JSON text and bytes", () =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.uint8Array({ maxLength: 256 }),
        ),
        (f) => assertTotal(V0_CODEC, f),
      ),
      { numRuns: 1000 },
    ));
});
