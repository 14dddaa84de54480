/**
 * The one streaming sample-rate converter of this package (decoded audio out, published audio
 * in): windowed-sinc interpolation over interleaved samples, with a polyphase table for the
 * rational ratio between the two rates. The cutoff sits just under the lower of the two Nyquist
 * frequencies and the filter widens with the downsampling factor, so downsampling does not
 * alias. Phase and history carry across calls: a stream pushed in any chunk sizes is resampled
 * as one signal. Linear-phase, with a delay of {@link RESAMPLER_HALF_TAPS} samples of the lower rate.
 */

/** Filter half-width in samples of the lower rate (each side of the interpolation point). */
export const RESAMPLER_HALF_TAPS = 16;
/** Cutoff as a fraction of the lower rate's Nyquist frequency. */
const CUTOFF = 0.95;
/** Above this many phases the table would be large; such ratios compute weights per sample. */
const MAX_TABLE_PHASES = 4096;

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
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
  /** Input frames not yet consumed (interleaved), starting at absolute input frame `base`. */
  private history: Float32Array;
  private base = 0;
  /** Next output frame; its input position is out·num/den. */
  private out = 0;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
    readonly channels = 1,
  ) {
    const g = gcd(inputRate, outputRate);
    this.num = inputRate / g;
    this.den = outputRate / g;
    const down = inputRate > outputRate ? inputRate / outputRate : 1;
    this.half = Math.ceil(RESAMPLER_HALF_TAPS * down);
    // Cutoff relative to the input rate (cycles per input sample, Nyquist = 0.5).
    this.fc = (0.5 * CUTOFF) / down;
    this.taps = 2 * this.half;
    this.history = new Float32Array(0);
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

  /** Feeds interleaved input; returns the interleaved output that can now be computed. */
  push(input: Float32Array): Float32Array {
    if (this.passthrough) return input.slice();
    const ch = this.channels;
    const joined = new Float32Array(this.history.length + input.length);
    joined.set(this.history, 0);
    joined.set(input, this.history.length);
    const end = this.base + joined.length / ch; // exclusive absolute input frame
    const results: number[] = [];
    const weights = new Float32Array(this.taps);
    for (;;) {
      const i = Math.floor((this.out * this.num) / this.den);
      if (i + this.half >= end) break;
      const phase = (this.out * this.num) % this.den;
      if (this.table) weights.set(this.table.subarray(phase * this.taps, (phase + 1) * this.taps));
      else for (let k = 0; k < this.taps; k++) weights[k] = this.weight(k - this.half + 1 - phase / this.den);
      const first = i - this.half + 1 - this.base;
      for (let c = 0; c < ch; c++) {
        let acc = 0;
        for (let k = 0; k < this.taps; k++) {
          const at = first + k;
          if (at >= 0) acc += joined[at * ch + c]! * weights[k]!;
        }
        results.push(acc);
      }
      this.out++;
    }
    // Keep what the next output still needs.
    const nextFirst = Math.floor((this.out * this.num) / this.den) - this.half + 1;
    const keep = Math.min(Math.max(0, nextFirst - this.base), joined.length / ch);
    this.history = joined.slice(keep * ch);
    this.base += keep;
    return Float32Array.from(results);
  }
}
