/**
 * Sender-side bitrate adaptation from what the receiver reports (RTCP receiver reports and
 * REMB, when the peer sends them). A pure function so it is table-tested: loss above
 * {@link LOSS_HIGH} backs off in proportion, loss below {@link LOSS_LOW} probes back up towards
 * the target, a REMB estimate caps everything.
 */

/** Fraction lost above which the sender backs off. */
const LOSS_HIGH = 0.1;
/** Fraction lost below which the sender may raise its rate again. */
const LOSS_LOW = 0.02;
/** Multiplicative increase per clean report. */
const BITRATE_INCREASE = 1.05;
/** Lowest rate adaptation goes to, bits per second. */
export const BITRATE_FLOOR_BPS = 100_000;

/** What the last receiver report said. */
export interface ReceiverFeedback {
  /** RTCP fraction lost, 0..1, when a receiver report arrived. */
  fractionLost?: number;
  /** REMB estimate in bits per second, when one arrived. */
  rembBps?: number;
}

/** The next bitrate cap, given the current cap, the configured target and the feedback. */
export function nextBitrateCap(current: number, target: number, feedback: ReceiverFeedback): number {
  let next = Math.min(current, target);
  const loss = feedback.fractionLost;
  if (loss !== undefined) {
    if (loss > LOSS_HIGH) next = next * (1 - loss / 2);
    else if (loss < LOSS_LOW) next = next * BITRATE_INCREASE;
  }
  if (feedback.rembBps !== undefined && feedback.rembBps > 0) next = Math.min(next, feedback.rembBps);
  return Math.round(Math.min(target, Math.max(BITRATE_FLOOR_BPS, next)));
}
