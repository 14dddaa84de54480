/**
 * The echo model's audio when nothing is published on `mic`: a sine tone of a known, whole
 * frequency, so a receiver can check what it decoded. One second of it is exactly `frequency`
 * periods, which makes a one-second loop of Opus packets seamless.
 */
import { AUDIO_RTP_CLOCK_HZ } from "@reactor-node/protocol";

/** The tone a session starts with. */
export const TONE_DEFAULT_HZ = 440;
/** Lowest tone `set_tone` accepts. */
export const TONE_MIN_HZ = 20;
/** Highest tone `set_tone` accepts (well inside Opus fullband). */
export const TONE_MAX_HZ = 16_000;
/** Peak amplitude as a fraction of full scale. */
export const TONE_AMPLITUDE = 0.3;
/** One Opus frame: 20 ms at 48 kHz. */
export const OPUS_FRAME_MS = 20;
/** Samples per channel in one Opus frame. */
export const OPUS_FRAME_SAMPLES = (AUDIO_RTP_CLOCK_HZ * OPUS_FRAME_MS) / 1000;
/** Frames in one tone loop (one second). */
export const TONE_LOOP_FRAMES = 1000 / OPUS_FRAME_MS;
/** Opus bitrate of the tone, bits per second. */
export const TONE_BITRATE = 32_000;

/** Rounds a requested frequency to the whole hertz the tone plays (the loop needs whole periods). */
export function roundToneFrequency(requested: number): number {
  return Math.min(TONE_MAX_HZ, Math.max(TONE_MIN_HZ, Math.round(requested)));
}

/** `samples` mono int16 samples of the tone, starting at sample `offset` of the loop. */
export function tonePcm(frequencyHz: number, offset: number, samples: number): Int16Array {
  const out = new Int16Array(samples);
  const peak = TONE_AMPLITUDE * 32767;
  for (let i = 0; i < samples; i++) {
    // Whole frequencies repeat every second, so the phase is taken modulo one second: exact.
    const n = (offset + i) % AUDIO_RTP_CLOCK_HZ;
    out[i] = Math.round(peak * Math.sin((2 * Math.PI * frequencyHz * n) / AUDIO_RTP_CLOCK_HZ));
  }
  return out;
}
