/** How a VP8 encoder inside the encoder worker is configured (a change means a new encoder). */
export interface VideoEncoderSettings {
  width: number;
  height: number;
  /** Nominal frame rate, for rate control. */
  fps: number;
  /** Target bitrate, bits per second. */
  bitrate: number;
}

/** One encoded VP8 frame. */
export interface EncodedVp8 {
  data: Uint8Array;
  keyframe: boolean;
}

/**
 * A stateful VP8 encoder living inside the encoder worker: one packed I420 picture in, exactly
 * one VP8 frame out (realtime mode, no lag, no alt-ref), synchronously.
 */
export interface VideoEncoderEngine {
  /** `pts90k` is the frame's presentation time on the 90 kHz clock, strictly increasing. */
  encode(i420: Uint8Array, pts90k: number, keyframe: boolean): EncodedVp8;
  close(): void;
}

/**
 * libvpx settings shared by both backends. Realtime deadline, no lag and no alt-ref so that
 * every picture yields one frame at once; error-resilient so a lost packet costs one frame, not
 * the rest of the GOP.
 *
 * `cpu-used` is negative on purpose: in realtime mode a positive value makes VP8 pick its own
 * speed so that encoding fills `(16 - cpu-used) / 16` of the frame interval, i.e. an encoder
 * that is fast enough slows down until it uses half the time between frames at 8 (the native
 * encoder took 7.5–10 ms of CPU per 720p frame at 30 fps instead of 3.5). `-16` fixes the
 * fastest speed: at 720p the luma PSNR of the testkit's pattern dropped 0.8 dB (51.5 vs 52.3 at
 * 1.6 Mb/s), of the pattern with noise not at all (42.3), for half the CPU.
 * `static-thresh` 1 (what WebRTC sets for VP8) lets macroblocks that did not change skip
 * encoding: ≈17 % less CPU in the wasm encoder on the pattern, PSNR unchanged.
 */
export const VP8_REALTIME_OPTIONS: Readonly<Record<string, string>> = Object.freeze({
  deadline: "realtime",
  "cpu-used": "-16",
  "static-thresh": "1",
  "lag-in-frames": "0",
  "auto-alt-ref": "0",
  "error-resilient": "1",
});

/** Quantizer bounds: a floor that keeps static content from spending bits on noise, a ceiling below libvpx's 63. */
export const VP8_QMIN = 4;
export const VP8_QMAX = 56;

/**
 * Longest run of delta frames. Keyframes come on demand (PLI/FIR, size change); this safety net
 * lets a receiver that missed every request still recover.
 */
export const VP8_MAX_KEYFRAME_INTERVAL_S = 10;

/** A sensible VP8 target for a picture size: ≈1 Mbps at 640×360@30, ≈2.5 Mbps at 1280×720@30 (power 0.66 of the area). */
export function defaultVideoBitrate(width: number, height: number, fps: number): number {
  const pixels = (width * height) / (640 * 360);
  return Math.round(1_000_000 * pixels ** 0.66 * Math.min(2, Math.max(0.5, fps / 30)));
}
