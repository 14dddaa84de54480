/**
 * A streaming resampler for one channel: windowed-sinc interpolation with a polyphase table for
 * the rational ratio between the two rates. The cutoff sits just under the lower of the two
 * Nyquist frequencies, so downsampling does not alias; the filter is linear-phase, with a delay
 * of {@link RESAMPLER_HALF_TAPS} input samples (scaled when downsampling).
 */

/** Filter half-width in samples of the lower rate (each side of the interpolation point). */
export const RESAMPLER_HALF_TAPS = 16;
/** Cutoff as a fraction of the lower rate's Nyquist frequency. */
const CUTOFF = 0.95;
/** Above this many phases the table would be large; such ratios compute weights per sample. */
const MAX_TABLE_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Blackman window on [-1, 1]. */
function blackman(x: number): number {
  if (x <= -1 || x >= 1) return 0;
  return 0.42 + 0.5 * Math.cos(Math.PI * x) + 0.08 * Math.cos(2 * Math.PI * x);
}

/** See the file comment. `push` returns the output samples that became computable. */
export class Resampler {
  /** Input samples per output sample, as the reduced fraction num/den. */
  private readonly num: number;
  private readonly den: number;
  private readonly half: number;
  private readonly fc: number;
  private readonly table: Float32Array | undefined;
  private readonly taps: number;
  /** Input not yet consumed, starting at absolute input index `base`. */
  private history = new Float32Array(0);
  private base = 0;
  /** Next output index; its input position is out·num/den. */
  private out = 0;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
  ) {
    const g = gcd(inputRate, outputRate);
    this.num = inputRate / g;
    this.den = outputRate / g;
    const down = inputRate > outputRate ? inputRate / outputRate : 1;
    this.half = Math.ceil(RESAMPLER_HALF_TAPS * down);
    // Cutoff relative to the input rate (cycles per input sample, Nyquist = 0.5).
    this.fc = (0.5 * CUTOFF) / down;
    this.taps = 2 * this.half;
    if (this.den <= MAX_TABLE_PHASES && inputRate !== outputRate) {
      this.table = new Float32Array(this.den * this.taps);
      for (let p = 0; p < this.den; p++) {
        const frac = p / this.den;
        for (let k = 0; k < this.taps; k++) this.table[p * this.taps + k] = this.weight(k - this.half + 1 - frac);
      }
    }
  }

  /** True when the rates are equal (samples pass through unchanged). */
  get passthrough(): boolean {
    return this.inputRate === this.outputRate;
  }

  private weight(x: number): number {
    const arg = 2 * this.fc * x;
    const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
    return 2 * this.fc * sinc * blackman(x / this.half);
  }

  /** Feeds input samples; returns the output samples that can now be computed. */
  push(input: Float32Array): Float32Array {
    if (this.passthrough) return input.slice();
    const joined = new Float32Array(this.history.length + input.length);
    joined.set(this.history, 0);
    joined.set(input, this.history.length);
    const end = this.base + joined.length; // exclusive absolute input index
    const results: number[] = [];
    for (;;) {
      const pos = (this.out * this.num) / this.den;
      const i = Math.floor(pos);
      // Needs input up to i + half.
      if (i + this.half >= end) break;
      const phase = (this.out * this.num) % this.den;
      let acc = 0;
      const first = i - this.half + 1;
      if (this.table) {
        const row = phase * this.taps;
        for (let k = 0; k < this.taps; k++) {
          const at = first + k - this.base;
          if (at >= 0) acc += joined[at]! * this.table[row + k]!;
        }
      } else {
        const frac = pos - i;
        for (let k = 0; k < this.taps; k++) {
          const at = first + k - this.base;
          if (at >= 0) acc += joined[at]! * this.weight(k - this.half + 1 - frac);
        }
      }
      results.push(acc);
      this.out++;
    }
    // Keep what the next output still needs.
    const nextFirst = Math.floor((this.out * this.num) / this.den) - this.half + 1;
    const keepFrom = Math.max(0, nextFirst - this.base);
    this.history = joined.slice(Math.min(keepFrom, joined.length));
    this.base += Math.min(keepFrom, joined.length);
    return Float32Array.from(results);
  }
}
