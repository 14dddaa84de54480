import { describe, expect, it } from "vitest";
import {
  createVideoReceiver,
  type DecoderBackendChoice,
  isNativeDecoderInstalled,
  KeyframeGate,
  type KeyframeReason,
  resolveDecoderBackend,
} from "../src/index.js";

describe("resolveDecoderBackend", () => {
  const cases: [string, DecoderBackendChoice, string][] = [
    ["default, node-av missing", { nativeInstalled: false }, "wasm"],
    ["default stays wasm even with node-av installed", { nativeInstalled: true }, "wasm"],
    ["auto picks native when installed", { env: "auto", nativeInstalled: true }, "native"],
    ["auto option picks native when installed", { requested: "auto", nativeInstalled: true }, "native"],
    ["env wasm", { env: "wasm", nativeInstalled: true }, "wasm"],
    ["env native", { env: "native", nativeInstalled: true }, "native"],
    ["option wins over env", { requested: "wasm", env: "native", nativeInstalled: false }, "wasm"],
    ["empty env is unset", { env: "", nativeInstalled: false }, "wasm"],
    ["env auto", { env: "auto", nativeInstalled: false }, "wasm"],
  ];
  it.each(cases)("%s", (_name, choice, expected) => {
    expect(resolveDecoderBackend(choice)).toBe(expected);
  });

  const errors: [string, DecoderBackendChoice, RegExp][] = [
    ["native requested, node-av missing", { requested: "native", nativeInstalled: false }, /cannot be imported/],
    ["native from env, node-av missing", { env: "native", nativeInstalled: false }, /REACTOR_FRAMES_DECODER/],
    ["unknown value", { env: "gpu", nativeInstalled: false }, /Unknown decoder "gpu"/],
  ];
  it.each(errors)("%s → INVALID_ARGUMENT, no silent fallback", (_name, choice, message) => {
    expect(() => resolveDecoderBackend(choice)).toThrow(
      expect.objectContaining({
        name: "ReactorError",
        code: "INVALID_ARGUMENT",
        message: expect.stringMatching(message),
      }),
    );
  });

  // With node-av installed (it is a devDependency) test/native-selection.test.ts covers the other side.
  it.skipIf(isNativeDecoderInstalled())(
    "createVideoReceiver({ decoder: 'native' }) throws synchronously when node-av is not installed",
    () => {
      expect(() => createVideoReceiver({ decoder: "native" })).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
    },
  );
});

describe("KeyframeGate", () => {
  it("drops deltas until a keyframe, rate-limits requests and re-arms on break", () => {
    const requests: [KeyframeReason, number][] = [];
    let now = 0;
    const gate = new KeyframeGate((reason) => requests.push([reason, now]), 300);
    const timeline: [number, boolean, boolean][] = [
      // [time, keyframe, admitted]
      [0, false, false], // start: request
      [100, false, false], // within 300 ms: no new request
      [350, false, false], // re-request
      [400, true, true],
      [433, false, true],
    ];
    for (const [t, key, admitted] of timeline) {
      now = t;
      expect(gate.admit(key, t)).toBe(admitted);
    }
    expect(requests).toEqual([
      ["start", 0],
      ["start", 350],
    ]);
    now = 500;
    gate.break("packetLoss", 500);
    expect(gate.admit(false, 510)).toBe(false);
    now = 520;
    gate.break("decodeError", 520); // already waiting: rate-limited, reason unchanged
    expect(requests.at(-1)).toEqual(["packetLoss", 500]);
    expect(requests).toHaveLength(3);
    expect(gate.admit(true, 600)).toBe(true);
  });
});
