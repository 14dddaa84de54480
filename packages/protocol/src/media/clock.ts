/** Media clocks shared by publishers, receivers and the testkit. */

/**
 * Wall-clock time in microseconds since the Unix epoch, as a bigint (the unit of
 * `FrameMetadata.captureTimeUs`), with sub-millisecond resolution from the monotonic clock.
 */
export function timeMicros(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}
