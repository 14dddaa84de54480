/** Measuring decoded audio: enough to check a test tone, or show what a stream carries. */

/**
 * The frequency of a steady tone in interleaved int16 PCM, from the first channel's rising zero
 * crossings (linearly interpolated between samples), in Hz. Undefined when fewer than two
 * crossings are found (silence, or a window shorter than two periods).
 */
export function toneFrequency(pcm: Int16Array, sampleRate: number, channels = 1): number | undefined {
  let first: number | undefined;
  let last = 0;
  let count = 0;
  const n = Math.floor(pcm.length / channels);
  for (let i = 1; i < n; i++) {
    const a = pcm[(i - 1) * channels]!;
    const b = pcm[i * channels]!;
    if (a < 0 && b >= 0) {
      const at = i - 1 + -a / (b - a);
      if (first === undefined) first = at;
      last = at;
      count++;
    }
  }
  if (first === undefined || count < 2 || last === first) return undefined;
  return ((count - 1) * sampleRate) / (last - first);
}

/** Root-mean-square level of interleaved int16 PCM, as a fraction of full scale. */
export function rmsLevel(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
  return Math.sqrt(sum / pcm.length) / 32768;
}
