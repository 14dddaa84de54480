/** One colour patch as read back from a decoded picture. */
export interface PatchReading {
  name: string;
  /** The colour the pattern drew, full-range RGB. */
  expected: [number, number, number];
  /** The average colour found in the patch's inner area. */
  actual: [number, number, number];
}

/** The model state as read back from the state rows. */
export interface StateReading {
  /** Effect name, or `"unknown"` for a code outside the table. */
  effect: string;
  effectCode: number;
  /** Intensity quantised to 1/15 steps. */
  intensity: number;
  captionPresent: boolean;
  /** FNV-1a hash of the caption's UTF-16 code units, low 4 bits. */
  captionHash: number;
  overlayPresent: boolean;
  /** FNV-1a hash of the overlay bytes, low 4 bits. */
  overlayHash: number;
}

/** What {@link readPattern} finds in a picture. */
export interface PatternReading {
  /** The embedded frame number (`n mod LOOP_FRAMES`). */
  frameNumber: number;
  patches: PatchReading[];
  state: StateReading;
}

/**
 * Reads the test pattern (see `layout.ts`) back from decoded RGB, or returns `null` when the
 * markers or the inverted-copy checks fail. `stride` is bytes per row (default
 * `width·channels`); `channels` is 3 (RGB) or 4 (RGBA, e.g. canvas `ImageData`).
 *
 * Self-contained on purpose: no imports or outer references, so `readPattern.toString()` can be
 * injected into a browser page. Its constants duplicate `layout.ts` (a test pins them).
 */
export function readPattern(
  rgb: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  stride?: number,
  channels?: number,
): PatternReading | null {
  const COLS = 20;
  const ROWS = 12;
  const CODE_ROW = 0;
  const STATE_ROW = 1;
  const STATE_INV_ROW = 2;
  const PATCH_ROW = 3;
  const BIT_FIRST_COL = 2;
  const FRAME_BITS = 8;
  const STATE_BITS = 18;
  const INSET = 0.25;
  const MIN_BIT_CONTRAST = 0.35;
  const MIN_MARKER_CONTRAST = 80;
  const PATCHES: [string, number, number, number][] = [
    ["red", 255, 0, 0],
    ["green", 0, 255, 0],
    ["blue", 0, 0, 255],
    ["white", 255, 255, 255],
    ["black", 0, 0, 0],
    ["grey", 128, 128, 128],
    ["yellow", 255, 255, 0],
    ["cyan", 0, 255, 255],
    ["magenta", 255, 0, 255],
  ];
  const EFFECTS = ["none", "grayscale", "sepia", "edges", "invert", "blur", "pixelate"];

  const ch = channels === 4 ? 4 : 3;
  const st = stride ?? width * ch;
  if (!(width >= 20 && height >= 12) || rgb.length < st * (height - 1) + width * ch) return null;

  // Average colour of the inner area of cells [c0, c1) in row r.
  function area(c0: number, c1: number, r: number): [number, number, number] {
    const x0 = Math.floor((c0 * width) / COLS);
    const x1 = Math.floor((c1 * width) / COLS);
    const y0 = Math.floor((r * height) / ROWS);
    const y1 = Math.floor(((r + 1) * height) / ROWS);
    const cw = Math.floor((x1 - x0) / (c1 - c0));
    const ix0 = x0 + Math.floor(cw * INSET);
    const ix1 = Math.max(ix0 + 1, x1 - Math.floor(cw * INSET));
    const iy0 = y0 + Math.floor((y1 - y0) * INSET);
    const iy1 = Math.max(iy0 + 1, y1 - Math.floor((y1 - y0) * INSET));
    let sr = 0;
    let sg = 0;
    let sb = 0;
    let n = 0;
    for (let y = iy0; y < iy1; y++) {
      let p = y * st + ix0 * ch;
      for (let x = ix0; x < ix1; x++, p += ch) {
        sr += rgb[p] as number;
        sg += rgb[p + 1] as number;
        sb += rgb[p + 2] as number;
        n++;
      }
    }
    return [sr / n, sg / n, sb / n];
  }
  function luma(c: [number, number, number]): number {
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
  }
  function cellLuma(c: number, r: number): number {
    return luma(area(c, c + 1, r));
  }

  // Markers: code row starts white/black and ends white/black; state rows are black/white, white/black.
  const hi = cellLuma(0, CODE_ROW);
  const lo = cellLuma(1, CODE_ROW);
  const contrast = hi - lo;
  if (contrast < MIN_MARKER_CONTRAST) return null;
  const mid = (hi + lo) / 2;
  if (cellLuma(COLS - 2, CODE_ROW) < mid || cellLuma(COLS - 1, CODE_ROW) > mid) return null;
  if (cellLuma(0, STATE_ROW) > mid || cellLuma(1, STATE_ROW) < mid) return null;
  if (cellLuma(0, STATE_INV_ROW) < mid || cellLuma(1, STATE_INV_ROW) > mid) return null;

  function readBits(count: number, rowA: number, colA: number, rowB: number, colB: number): number | null {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const a = cellLuma(colA + i, rowA);
      const b = cellLuma(colB + i, rowB);
      if (Math.abs(a - b) < contrast * MIN_BIT_CONTRAST) return null;
      value = value * 2 + (a > b ? 1 : 0);
    }
    return value;
  }

  const frameNumber = readBits(FRAME_BITS, CODE_ROW, BIT_FIRST_COL, CODE_ROW, BIT_FIRST_COL + FRAME_BITS);
  if (frameNumber === null) return null;
  const word = readBits(STATE_BITS, STATE_ROW, BIT_FIRST_COL, STATE_INV_ROW, BIT_FIRST_COL);
  if (word === null) return null;

  const effectCode = Math.floor(word / 32768) & 7;
  const state: StateReading = {
    effect: EFFECTS[effectCode] ?? "unknown",
    effectCode,
    intensity: (Math.floor(word / 2048) & 15) / 15,
    captionPresent: (Math.floor(word / 1024) & 1) === 1,
    captionHash: Math.floor(word / 64) & 15,
    overlayPresent: (Math.floor(word / 32) & 1) === 1,
    overlayHash: Math.floor(word / 2) & 15,
  };

  const patches: PatchReading[] = [];
  for (let i = 0; i < PATCHES.length; i++) {
    const p = PATCHES[i] as [string, number, number, number];
    const c = area(1 + 2 * i, 3 + 2 * i, PATCH_ROW);
    patches.push({
      name: p[0],
      expected: [p[1], p[2], p[3]],
      actual: [Math.round(c[0]), Math.round(c[1]), Math.round(c[2])],
    });
  }
  return { frameNumber, patches, state };
}

/** The largest per-channel difference between expected and actual over all patches. */
export function maxPatchError(reading: PatternReading): number {
  let worst = 0;
  for (const p of reading.patches) {
    for (let i = 0; i < 3; i++) worst = Math.max(worst, Math.abs((p.expected[i] ?? 0) - (p.actual[i] ?? 0)));
  }
  return worst;
}
