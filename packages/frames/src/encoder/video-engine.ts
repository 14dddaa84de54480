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
 * the rest of the GOP. `cpu-used` 8 is libvpx's fastest realtime speed that keeps 720p sharp.
 */
export const VP8_REALTIME_OPTIONS: Readonly<Record<string, string>> = Object.freeze({
  deadline: "realtime",
  "cpu-used": "8",
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

/** A sensible VP8 target for a picture size: ≈1 Mbps at 640×360@30, ≈1.6 Mbps at 1280×720@30 (power 0.66 of the area). */
export function defaultVideoBitrate(width: number, height: number, fps: number): number {
  const pixels = (width * height) / (640 * 360);
  return Math.round(1_000_000 * pixels ** 0.66 * Math.min(2, Math.max(0.5, fps / 30)));
}
