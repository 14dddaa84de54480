/**
 * BT.601 limited-range ("studio swing") conversion between packed RGB and I420, the matrix VP8
 * streams are tagged with and browsers assume for them. Plain float maths: this runs once per
 * rendered frame, not per pixel per packet. These are the testkit's *reference* conversions
 * (named so, apart from the SDK's `i420ToRgb`/`rgbToI420` kernels in frames), written
 * independently so tests can check one against the other.
 */

/** Plane geometry of a tightly packed I420 picture (chroma planes are ⌈w/2⌉ × ⌈h/2⌉). */
export interface I420Layout {
  width: number;
  height: number;
  chromaWidth: number;
  chromaHeight: number;
  /** Byte offset and row stride of the Y, U and V planes. */
  planes: [{ offset: number; stride: number }, { offset: number; stride: number }, { offset: number; stride: number }];
  /** Total bytes. */
  size: number;
}

/** The tightly packed I420 layout for a picture of the given size. */
export function i420Layout(width: number, height: number): I420Layout {
  const chromaWidth = Math.ceil(width / 2);
  const chromaHeight = Math.ceil(height / 2);
  const ySize = width * height;
  const cSize = chromaWidth * chromaHeight;
  return {
    width,
    height,
    chromaWidth,
    chromaHeight,
    planes: [
      { offset: 0, stride: width },
      { offset: ySize, stride: chromaWidth },
      { offset: ySize + cSize, stride: chromaWidth },
    ],
    size: ySize + 2 * cSize,
  };
}

function clamp8(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Converts packed RGB (3 bytes per pixel, stride `width·3`) to tightly packed I420. */
export function referenceRgbToI420(rgb: Uint8Array, width: number, height: number, out?: Uint8Array): Uint8Array {
  const layout = i420Layout(width, height);
  const dst = out && out.length >= layout.size ? out : new Uint8Array(layout.size);
  for (let i = 0, p = 0; i < width * height; i++, p += 3) {
    const r = rgb[p] as number;
    const g = rgb[p + 1] as number;
    const b = rgb[p + 2] as number;
    dst[i] = clamp8(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
  }
  const uOff = layout.planes[1].offset;
  const vOff = layout.planes[2].offset;
  for (let cy = 0; cy < layout.chromaHeight; cy++) {
    const y0 = cy * 2;
    const y1 = Math.min(y0 + 1, height - 1);
    for (let cx = 0; cx < layout.chromaWidth; cx++) {
      const x0 = cx * 2;
      const x1 = Math.min(x0 + 1, width - 1);
      const a = (y0 * width + x0) * 3;
      const b2 = (y0 * width + x1) * 3;
      const c = (y1 * width + x0) * 3;
      const d = (y1 * width + x1) * 3;
      const r = ((rgb[a] as number) + (rgb[b2] as number) + (rgb[c] as number) + (rgb[d] as number)) / 4;
      const g =
        ((rgb[a + 1] as number) + (rgb[b2 + 1] as number) + (rgb[c + 1] as number) + (rgb[d + 1] as number)) / 4;
      const b =
        ((rgb[a + 2] as number) + (rgb[b2 + 2] as number) + (rgb[c + 2] as number) + (rgb[d + 2] as number)) / 4;
      const o = cy * layout.chromaWidth + cx;
      dst[uOff + o] = clamp8(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255);
      dst[vOff + o] = clamp8(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255);
    }
  }
  return dst;
}

/**
 * Converts an I420 picture with arbitrary plane offsets/strides (as libav.js frames carry them)
 * to packed RGB (stride `width·3`).
 */
export function referenceI420ToRgb(
  data: Uint8Array,
  width: number,
  height: number,
  planes: readonly { offset: number; stride: number }[] = i420Layout(width, height).planes,
  out?: Uint8Array,
): Uint8Array {
  const dst = out && out.length >= width * height * 3 ? out : new Uint8Array(width * height * 3);
  const [yp, up, vp] = planes as [
    { offset: number; stride: number },
    { offset: number; stride: number },
    { offset: number; stride: number },
  ];
  for (let y = 0; y < height; y++) {
    const yRow = yp.offset + y * yp.stride;
    const uRow = up.offset + (y >> 1) * up.stride;
    const vRow = vp.offset + (y >> 1) * vp.stride;
    for (let x = 0, p = y * width * 3; x < width; x++, p += 3) {
      const yy = 1.164 * ((data[yRow + x] as number) - 16);
      const u = (data[uRow + (x >> 1)] as number) - 128;
      const v = (data[vRow + (x >> 1)] as number) - 128;
      dst[p] = clamp8(yy + 1.596 * v);
      dst[p + 1] = clamp8(yy - 0.392 * u - 0.813 * v);
      dst[p + 2] = clamp8(yy + 2.017 * u);
    }
  }
  return dst;
}
