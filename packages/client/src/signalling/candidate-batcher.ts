/**
 * Trickle ICE, client → server (docs/protocol.md §4 step 4). Candidates arrive in bursts (one per
 * interface and transport within a few ms), so they are batched over a short window
 * ({@link ICE_CANDIDATE_BATCH_WINDOW_MS}) to cut the number of POSTs without delaying
 * connectivity checks noticeably. Candidates gathered before the connection id exists (and
 * before the offer was sent) are held, never lost, and flushed by {@link CandidateBatcher.start}.
 * End-of-candidates is one last POST with `is_final: true`. POSTs are sent strictly in order.
 */
import {
  ICE_CANDIDATE_BATCH_WINDOW_MS,
  type IceCandidateInit,
  type IceCandidateWire,
  iceCandidateToWire,
} from "@reactor-node/protocol";

/** Options of a {@link CandidateBatcher}. */
export interface CandidateBatcherOptions {
  /** Batching window in ms (default {@link ICE_CANDIDATE_BATCH_WINDOW_MS}). */
  windowMs?: number;
  /** Sends one batch. Rejections are passed to `onError`; later batches are still sent. */
  send(candidates: IceCandidateWire[], isFinal: boolean): Promise<void>;
  onError?(error: unknown): void;
}

/** Batches trickled candidates; see the file comment. */
export class CandidateBatcher {
  private pending: IceCandidateWire[] = [];
  private started = false;
  private finished = false;
  private finalSent = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly windowMs: number;

  constructor(private readonly options: CandidateBatcherOptions) {
    this.windowMs = options.windowMs ?? ICE_CANDIDATE_BATCH_WINDOW_MS;
  }

  /** Queues one gathered candidate. Ignored after end-of-candidates or close. */
  add(candidate: IceCandidateInit): void {
    if (this.closed || this.finished) return;
    this.pending.push(iceCandidateToWire(candidate));
    if (this.started) this.arm();
  }

  /** Gathering completed: flush everything left with `is_final: true` (once started). */
  finish(): void {
    if (this.closed || this.finished) return;
    this.finished = true;
    if (this.started) this.flush(true);
  }

  /** The connection id exists and the offer was sent: flush what was held, batch from now on. */
  start(): void {
    if (this.closed || this.started) return;
    this.started = true;
    if (this.finished) this.flush(true);
    else if (this.pending.length > 0) this.flush(false);
  }

  /** Resolves once every batch queued so far was sent (or failed). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** True once the final batch was queued. */
  get done(): boolean {
    return this.finalSent;
  }

  /** Stops batching: cancels the window timer and drops unsent candidates (idempotent). */
  close(): void {
    this.closed = true;
    this.pending = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush(false);
    }, this.windowMs);
  }

  private flush(isFinal: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.finalSent) return;
    if (!isFinal && this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    if (isFinal) this.finalSent = true;
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await this.options.send(batch, isFinal);
      } catch (error) {
        this.options.onError?.(error);
      }
    });
  }
}
