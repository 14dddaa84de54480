// Piscina task entry of the shared conversion pool: packed I420 → RGB24/RGBA into the buffer sent
// along, both buffers transferred back. A named export, like process/frame-task.ts (piscina loads
// entries with require(), and a default export's facade module aborted terminating threads).
import { move, transferableSymbol, valueSymbol } from "piscina";
import { chromaSize, type I420Planes } from "../kernel/i420.js";
import { i420ToRgb, i420ToRgba } from "../kernel/i420-to-rgb.js";
import { createSimdI420ToRgb } from "../kernel/i420-to-rgb-simd.js";
import type { ConvertTask, ConvertTaskResult } from "./convert-messages.js";

// One SIMD kernel per pool thread (its WASM memory grows to the largest frame converted).
const simd = createSimdI420ToRgb();

function planes(i420: Uint8Array, width: number, height: number): I420Planes {
  const cw = chromaSize(width);
  const ch = chromaSize(height);
  const ySize = width * height;
  return {
    width,
    height,
    y: i420.subarray(0, ySize),
    u: i420.subarray(ySize, ySize + cw * ch),
    v: i420.subarray(ySize + cw * ch, ySize + 2 * cw * ch),
    yStride: width,
    uStride: cw,
    vStride: cw,
  };
}

/** The piscina handler (selected with `name: "convertFrame"`). */
export function convertFrame(task: ConvertTask): unknown {
  const t0 = performance.now();
  const src = planes(task.i420, task.width, task.height);
  const out = new Uint8Array(task.out);
  if (task.format === "rgba") i420ToRgba(src, out);
  else if (simd) simd.convert(src, out);
  else i420ToRgb(src, out);
  const shared = task.i420.buffer instanceof SharedArrayBuffer;
  const result: ConvertTaskResult = {
    out: task.out,
    ...(!shared && { i420: task.i420.buffer as ArrayBuffer }),
    convertMs: performance.now() - t0,
  };
  return move({
    get [transferableSymbol]() {
      return shared ? [result.out] : [result.out, result.i420];
    },
    get [valueSymbol]() {
      return result;
    },
  } as never);
}
