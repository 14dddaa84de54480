import { rgbToI420 } from "./rgb-to-i420.js";

/** Converts packed RGB24/RGBA to packed I420 in `dst`. */
export type RgbToI420 = (
  src: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  dst: Uint8Array,
) => Uint8Array;

/** The fastest RGB → I420 converter this runtime has (the SIMD kernel when WebAssembly SIMD is available). */
export function createRgbToI420(): RgbToI420 {
  return rgbToI420;
}
