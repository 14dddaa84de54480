/**
 * Packet-loss concealment for decoded audio: when packets are missing, the gap is filled by
 * repeating the last pitch period of what was heard (found by autocorrelation), cross-faded into
 * the repetition and faded out as the gap grows, after ITU-T G.711 Appendix I's waveform
 * substitution. libav.js exposes no way to run libopus's own concealment (a NULL packet), so it
 * happens on the decoded samples.
 */

/** Decoded history kept for concealment, in ms. */
const HISTORY_MS = 40;
/** Pitch search range, in ms (≈ 50–400 Hz fundamentals, plus tones up to the top of it). */
const MIN_PITCH_MS = 2.5;
const MAX_PITCH_MS = 20;
/** The concealment plays at full level this long, then fades to silence by {@link CONCEAL_FADE_END_MS}. */
const CONCEAL_FULL_MS = 20;
/** Where the fade-out ends; a longer gap continues in silence. */
export const CONCEAL_FADE_END_MS = 60;
/** Cross-fade from the last heard samples into the repetition, in ms. */
const OVERLAP_MS = 2.5;

/** Per-channel concealment state at one sample rate. */
export class Concealer {
  private readonly history: Float32Array[];
  private filled = 0;
  /** Samples of the current gap already produced (the fade continues across calls). */
  private gapPosition = 0;
  private period = 0;
  private readonly historyLength: number;

  constructor(
    private readonly sampleRate: number,
    readonly channels: number,
  ) {
    this.historyLength = Math.round((HISTORY_MS * sampleRate) / 1000);
    this.history = Array.from({ length: channels }, () => new Float32Array(this.historyLength));
  }

  /** Records heard samples (planar, one array per channel); ends any gap in progress. */
  heard(planes: Float32Array[]): void {
    this.gapPosition = 0;
    const n = planes[0]?.length ?? 0;
    for (let c = 0; c < this.channels; c++) {
      const h = this.history[c]!;
      const p = planes[c]!;
      if (n >= h.length) h.set(p.subarray(n - h.length));
      else {
        h.copyWithin(0, n);
        h.set(p, h.length - n);
      }
    }
    this.filled = Math.min(this.historyLength, this.filled + n);
  }

  /** `samples` concealment samples per channel (planar); silence when nothing was heard yet. */
  conceal(samples: number): Float32Array[] {
    const out = Array.from({ length: this.channels }, () => new Float32Array(samples));
    if (this.filled < this.historyLength) return out;
    const start = this.gapPosition;
    if (start === 0) this.period = this.findPeriod();
    const period = this.period;
    const full = (CONCEAL_FULL_MS * this.sampleRate) / 1000;
    const end = (CONCEAL_FADE_END_MS * this.sampleRate) / 1000;
    const overlap = Math.min(period, Math.round((OVERLAP_MS * this.sampleRate) / 1000));
    for (let c = 0; c < this.channels; c++) {
      const h = this.history[c]!;
      const o = out[c]!;
      const cycleStart = h.length - period;
      for (let i = 0; i < samples; i++) {
        const t = start + i;
        let v = h[cycleStart + (t % period)]!;
        // Blend the first repeated samples with the natural continuation of the waveform.
        if (t < overlap) {
          const w = t / overlap;
          v = v * w + h[h.length - 1]! * (1 - w);
        }
        const gain = t < full ? 1 : t >= end ? 0 : 1 - (t - full) / (end - full);
        o[i] = v * gain;
      }
    }
    this.gapPosition += samples;
    return out;
  }

  /** The lag with the strongest normalised autocorrelation over the last pitch window. */
  private findPeriod(): number {
    const minLag = Math.round((MIN_PITCH_MS * this.sampleRate) / 1000);
    const maxLag = Math.round((MAX_PITCH_MS * this.sampleRate) / 1000);
    const h = this.history[0]!;
    const window = h.length - maxLag;
    let best = maxLag;
    let bestScore = -Infinity;
    for (let lag = minLag; lag <= maxLag; lag++) {
      let xy = 0;
      let yy = 0;
      for (let i = h.length - window; i < h.length; i++) {
        const y = h[i - lag]!;
        xy += h[i]! * y;
        yy += y * y;
      }
      const score = yy > 0 ? xy / Math.sqrt(yy) : 0;
      // Prefer the shortest lag among near-equals (its multiples score the same on a tone).
      if (score > bestScore * 1.0001 + 1e-9) {
        bestScore = score;
        best = lag;
      }
    }
    return best;
  }
}
