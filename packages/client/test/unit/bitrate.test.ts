import { describe, expect, it } from "vitest";
import { BITRATE_FLOOR_BPS, nextBitrateCap } from "../../src/publish/bitrate.js";

describe("nextBitrateCap (receiver feedback → the encoder's cap)", () => {
  const T = 2_000_000;
  it.each([
    ["no feedback keeps the rate", T, {}, T],
    ["clean reports probe up, never past the target", 1_000_000, { fractionLost: 0 }, 1_050_000],
    ["clean reports at the target stay there", T, { fractionLost: 0.01 }, T],
    ["moderate loss holds", 1_000_000, { fractionLost: 0.05 }, 1_000_000],
    ["heavy loss backs off in proportion", 1_000_000, { fractionLost: 0.2 }, 900_000],
    ["REMB caps", T, { rembBps: 700_000 }, 700_000],
    ["REMB above the target is ignored", 1_000_000, { rembBps: 5_000_000 }, 1_000_000],
    ["never below the floor", 120_000, { fractionLost: 0.9 }, BITRATE_FLOOR_BPS],
  ] as const)("%s", (_name, current, feedback, expected) => {
    expect(nextBitrateCap(current, T, feedback)).toBe(expected);
  });
});
