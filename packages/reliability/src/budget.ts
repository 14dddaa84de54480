/**
 * How much each part of the suite does. The default run stays within a couple of minutes of CI
 * time on a 2-core machine; `RELIABILITY_LONG=1` runs the long figures (for a soak before a
 * release, or when chasing a leak).
 */

/** True when `RELIABILITY_LONG=1`. */
export const LONG = process.env.RELIABILITY_LONG === "1";

/** The default figure, or the long one under `RELIABILITY_LONG=1`. */
export function budget(defaults: number, long: number): number {
  return LONG ? long : defaults;
}
