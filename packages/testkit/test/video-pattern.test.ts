import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fnv1a32 } from "../src/video/hash.js";
import {
  EFFECTS,
  FrameNumberUnwrapper,
  GRID_COLS,
  GRID_ROWS,
  LOOP_FRAMES,
  maxPatchError,
  overlayFromBytes,
  type PatternState,
  readPattern,
  referenceI420ToRgb,
  renderPatternI420,
  renderPatternRgb,
  STATE_BITS,
  unwrapFrameNumber,
} from "../src/video/index.js";

const SIZES: [number, number][] = [
  [640, 360],
  [1280, 720],
  [352, 640],
  [333, 187],
  [80, 48],
];

function state(patch: Partial<PatternState> = {}): PatternState {
  return { effect: "none", intensity: 1, caption: "", overlay: null, overlayStrength: 0.5, ...patch };
}

// A minimal PNG encoder (RGBA, filter 0) so the overlay decoder is tested on real PNG bytes.
function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of bytes) c = (crcTable[(c ^ b) & 255] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, body: Uint8Array) => {
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.write(type, 4, "latin1");
    out.set(body, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + body.length)), 8 + body.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

describe("test pattern render → read", () => {
  it.each(SIZES)("reads frame numbers and exact patches back from RGB at %ix%i", (w, h) => {
    for (const n of [0, 1, 77, 128, 255, 256 + 3]) {
      const reading = readPattern(renderPatternRgb(n, w, h), w, h);
      expect(reading?.frameNumber).toBe(n % LOOP_FRAMES);
      expect(reading && maxPatchError(reading)).toBe(0);
      expect(reading?.state).toMatchObject({
        effect: "none",
        intensity: 1,
        captionPresent: false,
        overlayPresent: false,
      });
    }
  });

  it.each(SIZES)("survives the BT.601 I420 round trip at %ix%i", (w, h) => {
    const reading = readPattern(referenceI420ToRgb(renderPatternI420(200, w, h), w, h), w, h);
    expect(reading?.frameNumber).toBe(200);
    expect(reading && maxPatchError(reading)).toBeLessThanOrEqual(4);
  });

  it("reads every effect, the intensity, the caption and the overlay from the state rows", () => {
    const overlayBytes = encodePng(4, 4, new Uint8Array(64).fill(200));
    const overlay = overlayFromBytes(overlayBytes);
    for (const effect of EFFECTS) {
      const s = state({ effect, intensity: 0.4, caption: "Hello", overlay });
      const reading = readPattern(renderPatternRgb(9, 352, 640, s), 352, 640);
      expect(reading?.frameNumber).toBe(9);
      expect(reading?.state).toEqual({
        effect,
        effectCode: EFFECTS.indexOf(effect),
        intensity: 6 / 15,
        captionPresent: true,
        captionHash: fnv1a32("Hello") & 15,
        overlayPresent: true,
        overlayHash: fnv1a32(overlayBytes) & 15,
      });
      // The effect changes the scene only: the patches stay exact.
      expect(reading && maxPatchError(reading)).toBe(0);
    }
  });

  it("makes every effect visibly different in the scene", () => {
    const pictures = EFFECTS.map((effect) => renderPatternRgb(5, 320, 180, state({ effect })));
    for (let a = 0; a < pictures.length; a++) {
      for (let b = a + 1; b < pictures.length; b++) {
        let diff = 0;
        const pa = pictures[a] as Uint8Array;
        const pb = pictures[b] as Uint8Array;
        for (let i = 0; i < pa.length; i++) diff += Math.abs((pa[i] as number) - (pb[i] as number));
        expect(diff / pa.length, `${EFFECTS[a]} vs ${EFFECTS[b]}`).toBeGreaterThan(2);
      }
    }
  });

  it("moves between frames (the picture is alive)", () => {
    const a = renderPatternRgb(10, 320, 180);
    const b = renderPatternRgb(11, 320, 180);
    const scene = Math.floor((4 * 180) / GRID_ROWS) * 320 * 3;
    expect(Buffer.compare(a.subarray(scene), b.subarray(scene))).not.toBe(0);
  });

  it("reads RGBA with a padded stride (canvas ImageData)", () => {
    const w = 200;
    const h = 120;
    const rgb = renderPatternRgb(42, w, h, state({ effect: "sepia" }));
    const stride = w * 4 + 16;
    const rgba = new Uint8ClampedArray(stride * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        rgba.set(rgb.subarray((y * w + x) * 3, (y * w + x) * 3 + 3), y * stride + x * 4);
        rgba[y * stride + x * 4 + 3] = 255;
      }
    }
    expect(readPattern(rgba, w, h, stride, 4)?.state.effect).toBe("sepia");
  });

  it("works as a stringified, self-contained function (browser injection)", () => {
    const source = readPattern.toString();
    expect(source).toContain(`COLS = ${GRID_COLS}`);
    expect(source).toContain(`ROWS = ${GRID_ROWS}`);
    expect(source).toContain(`STATE_BITS = ${STATE_BITS}`);
    const standalone = new Function(`return (${source});`)() as typeof readPattern;
    expect(standalone(renderPatternRgb(99, 640, 360), 640, 360)?.frameNumber).toBe(99);
  });

  it("returns null for pictures without the pattern", () => {
    const w = 160;
    const h = 96;
    expect(readPattern(new Uint8Array(w * h * 3), w, h)).toBeNull();
    const noise = new Uint8Array(w * h * 3);
    let seed = 1;
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      noise[i] = seed >>> 24;
    }
    expect(readPattern(noise, w, h)).toBeNull();
    expect(readPattern(new Uint8Array(10), w, h)).toBeNull();
  });
});

describe("overlay decoding", () => {
  it("decodes an RGBA PNG and blends it", () => {
    const rgba = new Uint8Array(8 * 6 * 4);
    for (let i = 0; i < 48; i++) rgba.set([255, 0, 0, 255], i * 4);
    const picture = overlayFromBytes(encodePng(8, 6, rgba));
    expect(picture).toMatchObject({ width: 8, height: 6 });
    expect([...picture.rgba.subarray(0, 4)]).toEqual([255, 0, 0, 255]);
    const plain = renderPatternRgb(0, 320, 180);
    const blended = renderPatternRgb(0, 320, 180, state({ overlay: picture, overlayStrength: 1 }));
    expect(Buffer.compare(plain, blended)).not.toBe(0);
  });

  it("falls back to a colour derived from non-PNG bytes", () => {
    const a = overlayFromBytes(new Uint8Array([1, 2, 3]));
    const b = overlayFromBytes(new Uint8Array([1, 2, 4]));
    expect(a).toMatchObject({ width: 1, height: 1 });
    expect([...a.rgba]).not.toEqual([...b.rgba]);
  });
});

describe("frame number unwrapping", () => {
  it.each([
    [5, undefined, 5],
    [6, 5, 6],
    [0, 255, 256],
    [3, 510, 515],
    [250, 260, 250],
    [10, 300, 266],
  ])("unwrap(%i, previous %s) = %i", (embedded, previous, expected) => {
    expect(unwrapFrameNumber(embedded, previous)).toBe(expected);
  });

  it("counts losses and out-of-order frames across the wrap", () => {
    const u = new FrameNumberUnwrapper();
    const seen = [250, 251, 253, 252, 255, 0, 1, 4].map((n) => u.push(n));
    expect(seen).toEqual([250, 251, 253, 252, 255, 256, 257, 260]);
    expect(u.lost).toBe(1 + 1 + 2);
    expect(u.outOfOrder).toBe(1);
    expect(u.last).toBe(260);
  });
});
