import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeControlFrame, decodeDataFrame, EnvelopeSchema, ReactorError } from "../src/index.js";

/** Whatever arrives, the decoder returns a typed message or a typed error; it never throws. */
function assertTotal(frame: unknown) {
  for (const decode of [decodeDataFrame, decodeControlFrame]) {
    let result: ReturnType<typeof decode> | undefined;
    expect(() => {
      result = decode(frame);
    }).not.toThrow();
    expect(result).toBeDefined();
    if (result!.ok) expect(["data", "control"]).toContain(result!.message.channel);
    else {
      expect(result!.error).toBeInstanceOf(ReactorError);
      expect(result!.error.code).toBe("DECODE_ERROR");
    }
  }
}

const envelopeLike = fc.record({
  scope: fc.oneof(fc.constantFrom("application", "runtime"), fc.string()),
  data: fc.oneof(
    fc.record(
      {
        type: fc.oneof(
          fc.constantFrom(
            "ping",
            "modelSchema",
            "clipReady",
            "clipFailed",
            "moderation",
            "sessionEnded",
            "fileUploaded",
          ),
          fc.string(),
        ),
        data: fc.jsonValue(),
        uploads: fc.dictionary(fc.string(), fc.jsonValue()),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue(),
  ),
});

describe("decoder totality (property-based)", () => {
  it("arbitrary strings", () => fc.assert(fc.property(fc.string({ unit: "binary" }), assertTotal), { numRuns: 2000 }));
  it("arbitrary bytes", () =>
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), assertTotal), { numRuns: 2000 }));
  it("arbitrary JSON text", () =>
    fc.assert(
      fc.property(fc.jsonValue(), (v) => assertTotal(JSON.stringify(v))),
      { numRuns: 2000 },
    ));
  it("envelope-shaped JSON", () =>
    fc.assert(
      fc.property(envelopeLike, (v) => {
        assertTotal(JSON.stringify(v));
        const result = decodeDataFrame(JSON.stringify(v));
        // Anything the decoder accepts as an envelope really is one.
        if (result.ok && result.message.scope !== "legacy") expect(EnvelopeSchema.safeParse(v).success).toBe(true);
      }),
      { numRuns: 2000 },
    ));
  it("control-shaped JSON", () =>
    fc.assert(
      fc.property(
        fc.record(
          {
            type: fc.constantFrom("request", "response", "notification", "other"),
            method: fc.string(),
            event: fc.string(),
            request_id: fc.oneof(fc.string(), fc.integer()),
            data: fc.jsonValue(),
            error: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
        (v) => assertTotal(JSON.stringify(v)),
      ),
      { numRuns: 2000 },
    ));
  it("non-string, non-byte values", () => fc.assert(fc.property(fc.anything(), assertTotal), { numRuns: 500 }));
});
