import { inflateSync } from "node:zlib";
import { fnv1a32 } from "./hash.js";
import type { OverlayPicture } from "./pattern.js";

/**
 * Turns uploaded overlay bytes into a picture the pattern can blend. 8-bit non-interlaced PNGs
 * (grey, RGB, palette, grey+alpha, RGBA) are decoded for real, which covers what tests upload;
 * anything else (JPEG, 16-bit or interlaced PNG, garbage) becomes a 1×1 opaque picture whose
 * colour is derived from the bytes' hash, so a different upload still looks different.
 */

/** Largest PNG (width × height) decoded; bigger images fall back to the hash colour. */
export const OVERLAY_MAX_PIXELS = 4096 * 4096;

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Decodes `bytes` into an {@link OverlayPicture} (PNG when possible, else a hash colour). */
export function overlayFromBytes(bytes: Uint8Array): OverlayPicture {
  const hash = fnv1a32(bytes);
  try {
    const png = decodePng(bytes);
    if (png) return { ...png, hash };
  } catch {
    // Fall through: a damaged PNG still shows up as its hash colour.
  }
  const rgba = new Uint8Array([64 + (hash & 0xbf), 64 + ((hash >>> 8) & 0xbf), 64 + ((hash >>> 16) & 0xbf), 255]);
  return { width: 1, height: 1, rgba, hash };
}

/** Decodes an 8-bit non-interlaced PNG to RGBA, or returns null for anything unsupported. */
export function decodePng(bytes: Uint8Array): { width: number; height: number; rgba: Uint8Array } | null {
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let colorType = -1;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  for (let off = 8; off + 12 <= bytes.length; ) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...bytes.subarray(off + 4, off + 8));
    const body = bytes.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(off + 8);
      height = view.getUint32(off + 12);
      const depth = bytes[off + 16];
      colorType = bytes[off + 17] as number;
      if (depth !== 8 || bytes[off + 20] !== 0) return null;
    } else if (type === "PLTE") palette = body;
    else if (type === "tRNS") transparency = body;
    else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    off += 12 + len;
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels || width === 0 || height === 0 || width * height > OVERLAY_MAX_PIXELS) return null;
  if (colorType === 3 && !palette) return null;
  const raw = inflateSync(Buffer.concat(idat));
  const rowBytes = width * channels;
  if (raw.length < height * (rowBytes + 1)) return null;
  const pixels = new Uint8Array(height * rowBytes);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)];
    const src = y * (rowBytes + 1) + 1;
    const dst = y * rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const x = raw[src + i] as number;
      const a = i >= channels ? (pixels[dst + i - channels] as number) : 0;
      const b = y > 0 ? (pixels[dst - rowBytes + i] as number) : 0;
      const c = y > 0 && i >= channels ? (pixels[dst - rowBytes + i - channels] as number) : 0;
      let v: number;
      if (filter === 0) v = x;
      else if (filter === 1) v = x + a;
      else if (filter === 2) v = x + b;
      else if (filter === 3) v = x + ((a + b) >> 1);
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      } else return null;
      pixels[dst + i] = v & 255;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const q = i * 4;
    const s = i * channels;
    if (colorType === 0 || colorType === 4) {
      const g = pixels[s] as number;
      rgba[q] = g;
      rgba[q + 1] = g;
      rgba[q + 2] = g;
      rgba[q + 3] = colorType === 4 ? (pixels[s + 1] as number) : 255;
    } else if (colorType === 3) {
      const idx = pixels[s] as number;
      rgba[q] = palette?.[idx * 3] ?? 0;
      rgba[q + 1] = palette?.[idx * 3 + 1] ?? 0;
      rgba[q + 2] = palette?.[idx * 3 + 2] ?? 0;
      rgba[q + 3] = transparency?.[idx] ?? 255;
    } else {
      rgba[q] = pixels[s] as number;
      rgba[q + 1] = pixels[s + 1] as number;
      rgba[q + 2] = pixels[s + 2] as number;
      rgba[q + 3] = colorType === 6 ? (pixels[s + 3] as number) : 255;
    }
  }
  return { width, height, rgba };
}
