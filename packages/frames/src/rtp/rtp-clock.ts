import { VIDEO_RTP_CLOCK_HZ } from "@reactor-node/protocol";

const TWO_POW_32 = 0x1_0000_0000;
const HALF_RANGE = 0x8000_0000;

/**
 * Unwraps 32-bit RTP timestamps into a monotonic-ish number line and converts them to ms.
 * Differences larger than half the range are read as a wrap (forward or backward).
 */
export class RtpClock {
  private last: number | undefined;
  private offset = 0;

  constructor(private readonly clockRate: number = VIDEO_RTP_CLOCK_HZ) {}

  /** The unwrapped timestamp of `rtpTimestamp`, in ms. */
  toMs(rtpTimestamp: number): number {
    const ts = rtpTimestamp >>> 0;
    if (this.last !== undefined) {
      const delta = ts - this.last;
      if (delta < -HALF_RANGE) this.offset += TWO_POW_32;
      else if (delta > HALF_RANGE) this.offset -= TWO_POW_32;
    }
    this.last = ts;
    return ((ts + this.offset) * 1000) / this.clockRate;
  }
}
