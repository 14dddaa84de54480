/**
 * Audio input adaptation for the Opus encoder: any sample rate and channel count in, 48 kHz at
 * the encoder's channel count out, in 20 ms frames. Channels are mixed first (mono: the mean;
 * stereo from mono: duplicated; other counts: the first two, or their mean for mono), then the
 * rate is converted with a windowed-sinc interpolator that keeps its phase and history across
 * calls, so a stream pushed in arbitrary chunk sizes is resampled as one signal.
 */

/** Opus' clock and the only rate this encoder is fed. */
export const OPUS_SAMPLE_RATE_HZ = 48_000;
/** Samples per channel of one 20 ms Opus frame at 48 kHz. */
export const OPUS_FRAME_SAMPLES = 960;
/** Taps on each side of the interpolation point (quality vs cost; 16 keeps aliasing below -60 dB). */
const SINC_HALF_TAPS = 16;

/** Mixes interleaved int16 `channels` to `outChannels` (1 or 2), as float samples. */
export function mixChannels(input: Int16Array, channels: number, outChannels: 1 | 2): Float32Array {
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

/** A streaming sample-rate converter for interleaved float audio. */
export class Resampler {
  private readonly step: number;
  private readonly cutoff: number;
  /** Input samples kept for the filter's left wing (interleaved). */
  private history: Float32Array;
  /** Position of the next output sample, in input samples relative to the start of `history`. */
  private position: number;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
    readonly channels: number,
  ) {
    this.step = inputRate / outputRate;
    // Low-pass at the lower Nyquist when downsampling.
    this.cutoff = Math.min(1, outputRate / inputRate);
    this.history = new Float32Array(SINC_HALF_TAPS * channels);
    this.position = SINC_HALF_TAPS;
  }

  /** Converts the next chunk; returns whatever output it completes (may be empty). */
  push(input: Float32Array): Float32Array {
    const ch = this.channels;
    if (this.inputRate === this.outputRate) return input;
    const joined = new Float32Array(this.history.length + input.length);
    joined.set(this.history);
    joined.set(input, this.history.length);
    const available = joined.length / ch;
    const out: number[] = [];
    let pos = this.position;
    // An output sample needs SINC_HALF_TAPS input samples to its right.
    while (pos + SINC_HALF_TAPS < available) {
      const centre = Math.floor(pos);
      const frac = pos - centre;
      for (let c = 0; c < ch; c++) {
        let acc = 0;
        let norm = 0;
        for (let k = -SINC_HALF_TAPS + 1; k <= SINC_HALF_TAPS; k++) {
          const x = k - frac;
          const w = this.kernel(x);
          norm += w;
          acc += w * joined[(centre + k) * ch + c]!;
        }
        out.push(norm === 0 ? 0 : acc / norm);
      }
      pos += this.step;
    }
    // Keep the samples the next output still needs on its left.
    const keepFrom = Math.max(0, Math.floor(pos) - SINC_HALF_TAPS);
    this.history = joined.slice(keepFrom * ch);
    this.position = pos - keepFrom;
    return Float32Array.from(out);
  }

  private kernel(x: number): number {
    const t = x * this.cutoff;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    // Blackman window over the filter's span.
    const n = (x + SINC_HALF_TAPS) / (2 * SINC_HALF_TAPS);
    const window = 0.42 - 0.5 * Math.cos(2 * Math.PI * n) + 0.08 * Math.cos(4 * Math.PI * n);
    return sinc * window;
  }
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
