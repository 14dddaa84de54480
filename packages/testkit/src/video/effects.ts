import type { Effect } from "./layout.js";

/**
 * Cheap approximations of the echo model's effects, applied in place to a rectangle of a packed
 * RGB picture (stride `width·3`). They only need to be visibly different from each other; the
 * machine-readable effect code lives in the pattern's state rows.
 */

function clamp8(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v | 0;
}

/** A rectangle [x0, x1) × [y0, y1) in pixels. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Applies `effect` at `intensity` (0..1) to `rect`. `scale` is the picture height / 360, so blur
 * radii and pixel blocks look the same at every resolution.
 */
export function applyEffect(
  rgb: Uint8Array,
  width: number,
  rect: Rect,
  effect: Effect,
  intensity: number,
  scale: number,
): void {
  const t = Math.min(1, Math.max(0, intensity));
  if (effect === "none" || t === 0) return;
  switch (effect) {
    case "grayscale":
      mapPixels(rgb, width, rect, t, (r, g, b, out) => {
        const y = 0.299 * r + 0.587 * g + 0.114 * b;
        out[0] = y;
        out[1] = y;
        out[2] = y;
      });
      return;
    case "sepia":
      mapPixels(rgb, width, rect, t, (r, g, b, out) => {
        out[0] = 0.393 * r + 0.769 * g + 0.189 * b;
        out[1] = 0.349 * r + 0.686 * g + 0.168 * b;
        out[2] = 0.272 * r + 0.534 * g + 0.131 * b;
      });
      return;
    case "invert":
      mapPixels(rgb, width, rect, t, (r, g, b, out) => {
        out[0] = 255 - r;
        out[1] = 255 - g;
        out[2] = 255 - b;
      });
      return;
    case "edges":
      edges(rgb, width, rect, t);
      return;
    case "blur":
      blur(rgb, width, rect, Math.max(1, Math.round(t * 10 * scale)));
      return;
    case "pixelate":
      pixelate(rgb, width, rect, Math.max(2, Math.round((4 + t * 28) * scale)));
      return;
  }
}

function mapPixels(
  rgb: Uint8Array,
  width: number,
  rect: Rect,
  t: number,
  fn: (r: number, g: number, b: number, out: number[]) => void,
): void {
  const out = [0, 0, 0];
  for (let y = rect.y0; y < rect.y1; y++) {
    for (let x = rect.x0, p = (y * width + rect.x0) * 3; x < rect.x1; x++, p += 3) {
      const r = rgb[p] as number;
      const g = rgb[p + 1] as number;
      const b = rgb[p + 2] as number;
      fn(r, g, b, out);
      rgb[p] = clamp8(r + t * ((out[0] as number) - r));
      rgb[p + 1] = clamp8(g + t * ((out[1] as number) - g));
      rgb[p + 2] = clamp8(b + t * ((out[2] as number) - b));
    }
  }
}

function edges(rgb: Uint8Array, width: number, rect: Rect, t: number): void {
  const w = rect.x1 - rect.x0;
  const h = rect.y1 - rect.y0;
  const luma = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0, p = ((rect.y0 + y) * width + rect.x0) * 3; x < w; x++, p += 3) {
      luma[y * w + x] = 0.299 * (rgb[p] as number) + 0.587 * (rgb[p + 1] as number) + 0.114 * (rgb[p + 2] as number);
    }
  }
  for (let y = 0; y < h; y++) {
    const up = Math.max(0, y - 1) * w;
    const down = Math.min(h - 1, y + 1) * w;
    for (let x = 0, p = ((rect.y0 + y) * width + rect.x0) * 3; x < w; x++, p += 3) {
      const gx = (luma[y * w + Math.min(w - 1, x + 1)] as number) - (luma[y * w + Math.max(0, x - 1)] as number);
      const gy = (luma[down + x] as number) - (luma[up + x] as number);
      const e = Math.min(255, 4 * (Math.abs(gx) + Math.abs(gy)));
      for (let c = 0; c < 3; c++) {
        const v = rgb[p + c] as number;
        rgb[p + c] = clamp8(v + t * (e - v));
      }
    }
  }
}

// Separable box blur, one pass per axis with a running sum.
function blur(rgb: Uint8Array, width: number, rect: Rect, radius: number): void {
  const w = rect.x1 - rect.x0;
  const h = rect.y1 - rect.y0;
  const line = new Float32Array(Math.max(w, h) * 3);
  const pass = (count: number, length: number, index: (line: number, i: number) => number) => {
    for (let l = 0; l < count; l++) {
      for (let i = 0; i < length; i++) {
        const p = index(l, i);
        line[i * 3] = rgb[p] as number;
        line[i * 3 + 1] = rgb[p + 1] as number;
        line[i * 3 + 2] = rgb[p + 2] as number;
      }
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let i = 0; i < Math.min(radius, length); i++) {
          sum += line[i * 3 + c] as number;
          n++;
        }
        for (let i = 0; i < length; i++) {
          const add = i + radius;
          if (add < length) {
            sum += line[add * 3 + c] as number;
            n++;
          }
          const drop = i - radius - 1;
          if (drop >= 0) {
            sum -= line[drop * 3 + c] as number;
            n--;
          }
          rgb[index(l, i) + c] = clamp8(sum / n + 0.5);
        }
      }
    }
  };
  pass(h, w, (y, x) => ((rect.y0 + y) * width + rect.x0 + x) * 3);
  pass(w, h, (x, y) => ((rect.y0 + y) * width + rect.x0 + x) * 3);
}

function pixelate(rgb: Uint8Array, width: number, rect: Rect, block: number): void {
  for (let by = rect.y0; by < rect.y1; by += block) {
    for (let bx = rect.x0; bx < rect.x1; bx += block) {
      const ey = Math.min(rect.y1, by + block);
      const ex = Math.min(rect.x1, bx + block);
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let y = by; y < ey; y++) {
        for (let x = bx, p = (y * width + bx) * 3; x < ex; x++, p += 3) {
          r += rgb[p] as number;
          g += rgb[p + 1] as number;
          b += rgb[p + 2] as number;
          n++;
        }
      }
      r = Math.round(r / n);
      g = Math.round(g / n);
      b = Math.round(b / n);
      for (let y = by; y < ey; y++) {
        for (let x = bx, p = (y * width + bx) * 3; x < ex; x++, p += 3) {
          rgb[p] = r;
          rgb[p + 1] = g;
          rgb[p + 2] = b;
        }
      }
    }
  }
}
