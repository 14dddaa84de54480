/**
 * A planar YUV 4:2:0 picture as views into memory: each plane starts at its first pixel and rows
 * are `stride` bytes apart (strides may exceed the width, e.g. decoder padding).
 * Chroma planes are `ceil(width/2)` × `ceil(height/2)` samples.
 */
export interface I420Planes {
  width: number;
  height: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
  yStride: number;
  uStride: number;
  vStride: number;
}

/** Chroma plane width/height for a luma dimension (4:2:0 rounds up). */
export function chromaSize(lumaSize: number): number {
  return (lumaSize + 1) >> 1;
}

/**
 * Copies the planes tightly packed (Y, then U, then V; no row padding) into `dst`
 * (allocated when omitted). This is the `i420` frame format.
 */
export function packI420(src: I420Planes, dst?: Uint8Array): Uint8Array {
  const { width, height } = src;
  const cw = chromaSize(width);
  const ch = chromaSize(height);
  const size = width * height + 2 * cw * ch;
  const out = dst ?? new Uint8Array(size);
  if (out.length < size) throw new RangeError(`packI420: destination holds ${out.length} bytes, needs ${size}`);
  copyPlane(src.y, src.yStride, width, height, out, 0);
  copyPlane(src.u, src.uStride, cw, ch, out, width * height);
  copyPlane(src.v, src.vStride, cw, ch, out, width * height + cw * ch);
  return out;
}

function copyPlane(plane: Uint8Array, stride: number, w: number, h: number, out: Uint8Array, at: number): void {
  if (stride === w) {
    out.set(plane.subarray(0, w * h), at);
    return;
  }
  for (let row = 0; row < h; row++) out.set(plane.subarray(row * stride, row * stride + w), at + row * w);
}
