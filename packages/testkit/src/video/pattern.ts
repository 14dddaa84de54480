import { referenceRgbToI420 } from "./color.js";
import { applyEffect } from "./effects.js";
import { LOOP_FRAMES } from "./frame-number.js";
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphBits } from "./glyphs.js";
import { fnv1a32 } from "./hash.js";
import {
  BIT_FIRST_COL,
  CAPTION_ROW,
  CODE_ROW,
  EFFECT_COLORS,
  EFFECTS,
  type Effect,
  FRAME_BITS,
  GRID_COLS,
  GRID_ROWS,
  MIN_PATTERN_HEIGHT,
  MIN_PATTERN_WIDTH,
  PATCH_ROW,
  PATCHES,
  SCENE_FIRST_ROW,
  STATE_BITS,
  STATE_INV_ROW,
  STATE_ROW,
} from "./layout.js";

/**
 * Renders the synthetic test card (layout documented in `layout.ts`). Pure functions: the
 * picture depends only on (frame number mod LOOP_FRAMES, size, state), which is what lets a
 * pre-encoded loop stand in for live rendering whenever the state is the default.
 */

export { maxPatchError, type PatchReading, type PatternReading, readPattern, type StateReading } from "./reader.js";

/** A decoded overlay picture (RGBA, stride `width·4`) plus the hash of the bytes it came from. */
export interface OverlayPicture {
  width: number;
  height: number;
  rgba: Uint8Array;
  /** FNV-1a of the original (encoded) bytes; its low 4 bits go into the state word. */
  hash: number;
}

/** What the model currently does to the picture. */
export interface PatternState {
  effect: Effect;
  /** 0..1 */
  intensity: number;
  /** Empty = no caption. */
  caption: string;
  overlay: OverlayPicture | null;
  /** Overlay opacity 0..1. */
  overlayStrength: number;
}

/** The echo model's initial state: no effect, intensity 1, no caption, no overlay. */
export const DEFAULT_PATTERN_STATE: Readonly<PatternState> = Object.freeze({
  effect: "none",
  intensity: 1,
  caption: "",
  overlay: null,
  overlayStrength: 0.5,
});

/** The 18-bit state word the state rows carry (bit layout in `layout.ts`). */
export function stateWord(state: PatternState): number {
  const code = Math.max(0, EFFECTS.indexOf(state.effect));
  const intensity = Math.round(Math.min(1, Math.max(0, state.intensity)) * 15);
  const caption = state.caption.length > 0;
  const overlay = state.overlay !== null;
  return (
    (code << 15) |
    (intensity << 11) |
    ((caption ? 1 : 0) << 10) |
    ((caption ? fnv1a32(state.caption) & 15 : 0) << 6) |
    ((overlay ? 1 : 0) << 5) |
    ((overlay ? (state.overlay?.hash ?? 0) & 15 : 0) << 1)
  );
}

function edgesOf(cells: number, size: number): Int32Array {
  const e = new Int32Array(cells + 1);
  for (let i = 0; i <= cells; i++) e[i] = Math.floor((i * size) / cells);
  return e;
}

function fillRect(
  rgb: Uint8Array,
  width: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  c: readonly number[],
): void {
  const r = c[0] as number;
  const g = c[1] as number;
  const b = c[2] as number;
  for (let y = y0; y < y1; y++) {
    for (let x = x0, p = (y * width + x0) * 3; x < x1; x++, p += 3) {
      rgb[p] = r;
      rgb[p + 1] = g;
      rgb[p + 2] = b;
    }
  }
}

const WHITE = [255, 255, 255];
const BLACK = [0, 0, 0];

/** Checks a picture size is drawable; throws a RangeError otherwise. */
export function assertPatternSize(width: number, height: number): void {
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < MIN_PATTERN_WIDTH ||
    height < MIN_PATTERN_HEIGHT
  ) {
    throw new RangeError(`pattern size ${width}x${height} is below ${MIN_PATTERN_WIDTH}x${MIN_PATTERN_HEIGHT}`);
  }
}

/**
 * Renders frame `frameNumber` (taken mod {@link LOOP_FRAMES}) as packed RGB, stride `width·3`.
 * Reuses `out` when it is big enough.
 */
export function renderPatternRgb(
  frameNumber: number,
  width: number,
  height: number,
  state: PatternState = DEFAULT_PATTERN_STATE,
  out?: Uint8Array,
): Uint8Array {
  assertPatternSize(width, height);
  const rgb = out && out.length >= width * height * 3 ? out : new Uint8Array(width * height * 3);
  const n = ((frameNumber % LOOP_FRAMES) + LOOP_FRAMES) % LOOP_FRAMES;
  const xs = edgesOf(GRID_COLS, width);
  const ys = edgesOf(GRID_ROWS, height);
  const cell = (c: number, r: number, colour: readonly number[]) =>
    fillRect(rgb, width, xs[c] as number, ys[r] as number, xs[c + 1] as number, ys[r + 1] as number, colour);

  // Code row: W B | bits | inverted bits | W B.
  cell(0, CODE_ROW, WHITE);
  cell(1, CODE_ROW, BLACK);
  for (let i = 0; i < FRAME_BITS; i++) {
    const bit = (n >> (FRAME_BITS - 1 - i)) & 1;
    cell(BIT_FIRST_COL + i, CODE_ROW, bit ? WHITE : BLACK);
    cell(BIT_FIRST_COL + FRAME_BITS + i, CODE_ROW, bit ? BLACK : WHITE);
  }
  cell(GRID_COLS - 2, CODE_ROW, WHITE);
  cell(GRID_COLS - 1, CODE_ROW, BLACK);

  // State rows: B W | word, and W B | ~word.
  const word = stateWord(state);
  cell(0, STATE_ROW, BLACK);
  cell(1, STATE_ROW, WHITE);
  cell(0, STATE_INV_ROW, WHITE);
  cell(1, STATE_INV_ROW, BLACK);
  for (let i = 0; i < STATE_BITS; i++) {
    const bit = (word >> (STATE_BITS - 1 - i)) & 1;
    cell(BIT_FIRST_COL + i, STATE_ROW, bit ? WHITE : BLACK);
    cell(BIT_FIRST_COL + i, STATE_INV_ROW, bit ? BLACK : WHITE);
  }

  // Patch row: effect colour at both ends, nine two-cell patches between.
  const effectColour = EFFECT_COLORS[Math.max(0, EFFECTS.indexOf(state.effect))] ?? BLACK;
  cell(0, PATCH_ROW, effectColour);
  cell(GRID_COLS - 1, PATCH_ROW, effectColour);
  PATCHES.forEach((p, i) => {
    fillRect(
      rgb,
      width,
      xs[1 + 2 * i] as number,
      ys[PATCH_ROW] as number,
      xs[3 + 2 * i] as number,
      ys[PATCH_ROW + 1] as number,
      p.rgb,
    );
  });

  const scene = { x0: 0, y0: ys[SCENE_FIRST_ROW] as number, x1: width, y1: height };
  drawScene(rgb, width, scene, n);
  if (state.overlay) drawOverlay(rgb, width, scene, state.overlay, state.overlayStrength);
  applyEffect(rgb, width, scene, state.effect, state.intensity, height / 360);
  if (state.caption.length > 0) {
    drawCaption(rgb, width, ys[CAPTION_ROW] as number, ys[CAPTION_ROW + 1] as number, state.caption);
  }
  return rgb;
}

/** Renders frame `frameNumber` as tightly packed I420 (BT.601 limited range). */
export function renderPatternI420(
  frameNumber: number,
  width: number,
  height: number,
  state: PatternState = DEFAULT_PATTERN_STATE,
  scratch?: { rgb?: Uint8Array; out?: Uint8Array },
): Uint8Array {
  const rgb = renderPatternRgb(frameNumber, width, height, state, scratch?.rgb);
  return referenceRgbToI420(rgb, width, height, scratch?.out);
}

// A colour field scrolling with the frame number plus a ball on a Lissajous path; every
// motion has a period that divides LOOP_FRAMES so the loop is seamless.
function drawScene(rgb: Uint8Array, width: number, s: { x0: number; y0: number; x1: number; y1: number }, n: number) {
  const sw = s.x1 - s.x0;
  const sh = s.y1 - s.y0;
  const phase = (2 * Math.PI * n) / LOOP_FRAMES;
  const colR = new Uint8Array(sw);
  const rowG = new Uint8Array(sh);
  const diagB = new Uint8Array(sw + sh);
  for (let x = 0; x < sw; x++) colR[x] = 128 + 90 * Math.sin((2 * Math.PI * x) / sw + phase);
  for (let y = 0; y < sh; y++) rowG[y] = 128 + 90 * Math.sin((1.5 * Math.PI * y) / sh - 2 * phase);
  for (let d = 0; d < sw + sh; d++) diagB[d] = 128 + 90 * Math.sin((2 * Math.PI * d) / (sw + sh) + 3 * phase);
  for (let y = 0; y < sh; y++) {
    const g = rowG[y] as number;
    for (let x = 0, p = ((s.y0 + y) * width + s.x0) * 3; x < sw; x++, p += 3) {
      rgb[p] = colR[x] as number;
      rgb[p + 1] = g;
      rgb[p + 2] = diagB[x + y] as number;
    }
  }
  const radius = Math.max(3, Math.round(0.12 * Math.min(sw, sh)));
  const cx = s.x0 + radius + (sw - 2 * radius) * (0.5 + 0.5 * Math.sin(phase));
  const cy = s.y0 + radius + (sh - 2 * radius) * (0.5 + 0.5 * Math.sin(2 * phase + Math.PI / 3));
  const ring = Math.max(1, radius * 0.2);
  for (let y = Math.max(s.y0, Math.floor(cy - radius)); y < Math.min(s.y1, Math.ceil(cy + radius)); y++) {
    for (let x = Math.max(s.x0, Math.floor(cx - radius)); x < Math.min(s.x1, Math.ceil(cx + radius)); x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      if (d > radius) continue;
      const v = d > radius - ring ? 16 : 240;
      const p = (y * width + x) * 3;
      rgb[p] = v;
      rgb[p + 1] = v;
      rgb[p + 2] = v;
    }
  }
}

// Nearest-neighbour scaled into a box in the scene's top-left, aspect kept, alpha × strength.
function drawOverlay(
  rgb: Uint8Array,
  width: number,
  s: { x0: number; y0: number; x1: number; y1: number },
  img: OverlayPicture,
  strength: number,
): void {
  const sw = s.x1 - s.x0;
  const sh = s.y1 - s.y0;
  const boxW = Math.max(1, Math.floor(sw * 0.4));
  const boxH = Math.max(1, Math.floor(sh * 0.5));
  const k = Math.min(boxW / img.width, boxH / img.height);
  const w = Math.max(1, Math.floor(img.width * k));
  const h = Math.max(1, Math.floor(img.height * k));
  const ox = s.x0 + Math.floor(sw * 0.05);
  const oy = s.y0 + Math.floor(sh * 0.08);
  const a0 = Math.min(1, Math.max(0, strength)) / 255;
  for (let y = 0; y < h && oy + y < s.y1; y++) {
    const sy = Math.min(img.height - 1, Math.floor(y / k));
    for (let x = 0; x < w && ox + x < s.x1; x++) {
      const sx = Math.min(img.width - 1, Math.floor(x / k));
      const q = (sy * img.width + sx) * 4;
      const a = (img.rgba[q + 3] as number) * a0;
      const p = ((oy + y) * width + ox + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = rgb[p + c] as number;
        rgb[p + c] = Math.round(v + a * ((img.rgba[q + c] as number) - v));
      }
    }
  }
}

function drawCaption(rgb: Uint8Array, width: number, y0: number, y1: number, caption: string): void {
  fillRect(rgb, width, 0, y0, width, y1, [24, 24, 24]);
  const px = Math.max(1, Math.floor(((y1 - y0) * 0.6) / GLYPH_HEIGHT));
  const top = y0 + Math.floor((y1 - y0 - px * GLYPH_HEIGHT) / 2);
  let x = px * 2;
  for (const ch of caption) {
    if (x + px * GLYPH_WIDTH > width - px) break;
    const bits = glyphBits(ch);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (bits[gy * GLYPH_WIDTH + gx] === "1") {
          fillRect(rgb, width, x + gx * px, top + gy * px, x + (gx + 1) * px, top + (gy + 1) * px, [250, 250, 210]);
        }
      }
    }
    x += px * (GLYPH_WIDTH + 1);
  }
}
