/**
 * Audio input adaptation for the Opus encoder: any sample rate and channel count in, 48 kHz at
 * the encoder's channel count out, in 20 ms frames. Channels are mixed first (mono: the mean;
 * stereo from mono: duplicated; other counts: the first two, or their mean for mono), then the
 * rate is converted with the package's one resampler (audio/resampler.ts), which keeps its phase
 * and history across calls, so a stream pushed in arbitrary chunk sizes is resampled as one signal.
 */
import { Resampler } from "../audio/resampler.js";

/** Opus' clock and the only rate this encoder is fed. */
export const OPUS_SAMPLE_RATE_HZ = 48_000;
/** Samples per channel of one 20 ms Opus frame at 48 kHz. */
export const OPUS_FRAME_SAMPLES = 960;

/** Mixes interleaved int16 `channels` to `outChannels` (1 or 2), as float samples. */
function mixChannels(input: Int16Array, channels: number, outChannels: 1 | 2): Float32Array {
  const frames = Math.floor(input.length / channels);
  const out = new Float32Array(frames * outChannels);
  for (let i = 0; i < frames; i++) {
    const base = i * channels;
    if (outChannels === 1) {
      let sum = 0;
      const used = Math.min(channels, 2);
      for (let c = 0; c < used; c++) sum += input[base + c]!;
      out[i] = sum / used;
    } else {
      const left = input[base]!;
      out[2 * i] = left;
      out[2 * i + 1] = channels > 1 ? input[base + 1]! : left;
    }
  }
  return out;
}

/**
 * Turns pushed PCM of any rate and channel count into 20 ms int16 frames at 48 kHz,
 * `outChannels` interleaved. Keeps the remainder between calls.
 */
export class OpusFramer {
  private resampler: Resampler | undefined;
  private pending = new Float32Array(0);

  constructor(readonly outChannels: 1 | 2) {}

  /** Adds PCM; returns the complete 20 ms frames it finishes, each `OPUS_FRAME_SAMPLES * outChannels` long. */
  push(data: Int16Array, sampleRate: number, channels: number): Int16Array[] {
    if (!this.resampler || this.resampler.inputRate !== sampleRate) {
      this.resampler = new Resampler(sampleRate, OPUS_SAMPLE_RATE_HZ, this.outChannels);
    }
    const mixed = this.resampler.push(mixChannels(data, channels, this.outChannels));
    const joined = new Float32Array(this.pending.length + mixed.length);
    joined.set(this.pending);
    joined.set(mixed, this.pending.length);
    const frameLength = OPUS_FRAME_SAMPLES * this.outChannels;
    const frames: Int16Array[] = [];
    let at = 0;
    for (; at + frameLength <= joined.length; at += frameLength) {
      const frame = new Int16Array(frameLength);
      for (let i = 0; i < frameLength; i++) {
        const v = Math.round(joined[at + i]!);
        frame[i] = Math.min(32767, Math.max(-32768, v));
      }
      frames.push(frame);
    }
    this.pending = joined.slice(at);
    return frames;
  }
}
