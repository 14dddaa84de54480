import { reactorError } from "@reactor-node/protocol";
import { type DropReason, PolicyQueue, type PolicyQueueOptions } from "./policy-queue.js";

/** Options for a {@link PolicyStream}. */
export interface PolicyStreamOptions<T> extends PolicyQueueOptions<T> {
  /** Aborting ends the iteration (cleanly: `done`, not a throw). */
  signal?: AbortSignal;
  /** Called once when the stream ends for any reason (end, abort, `break`). */
  onEnd?: () => void;
  /** Called when an item is handed to the consumer (lets a paused producer resume). */
  onTake?: (item: T) => void;
  /** Called when the consumer waits in `next()` with nothing queued (demand). */
  onDemand?: () => void;
  /** Called with items still queued when the stream ends (never delivered, not counted as drops). */
  onDiscard?: (items: T[]) => void;
}

/**
 * A single-consumer async iterator fed by a producer through a {@link PolicyQueue}. Ends on
 * {@link PolicyStream.end}, on abort and when the consumer breaks out of `for await`; an ended
 * stream ignores pushes. Throws only when ended with an error.
 */
export class PolicyStream<T> implements AsyncIterableIterator<T> {
  private readonly queue: PolicyQueue<T>;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private ended = false;
  private error: unknown;
  private readonly options: PolicyStreamOptions<T>;
  private readonly onAbort = (): void => this.end();

  constructor(options: PolicyStreamOptions<T> = {}) {
    this.options = options;
    this.queue = new PolicyQueue(options);
    if (options.signal?.aborted) this.end();
    else options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** The declared policy. */
  get policy(): PolicyQueue<T>["policy"] {
    return this.queue.policy;
  }

  /** The queue bound (1 for `latest`). */
  get capacity(): number {
    return this.queue.capacity;
  }

  /** True while a `block` stream is at its bound: the producer should pause. */
  get full(): boolean {
    return !this.ended && this.queue.full;
  }

  /** True once ended. */
  get closed(): boolean {
    return this.ended;
  }

  /** True when a consumer is waiting in `next()` (demand with nothing queued). */
  get waiting(): boolean {
    return this.waiter !== undefined;
  }

  /** Offers an item; returns the drop reason if the policy dropped one. Ignored once ended. */
  push(item: T): DropReason | undefined {
    if (this.ended) return undefined;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ value: item, done: false });
      this.options.onTake?.(item);
      return undefined;
    }
    return this.queue.push(item);
  }

  /**
   * Ends the stream now: queued items are discarded and the consumer sees `done` (or `error`
   * thrown). Idempotent; a no-op after {@link PolicyStream.finish}.
   */
  end(error?: unknown): void {
    if (this.ended) return;
    const rest = this.queue.drain();
    if (rest.length > 0) this.options.onDiscard?.(rest);
    this.stop(error);
  }

  /** Ends the stream after the consumer has taken what is queued (no more pushes). Idempotent. */
  finish(): void {
    if (this.ended) return;
    this.stop(undefined);
  }

  private stop(error: unknown): void {
    this.ended = true;
    this.error = error;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) {
      if (error !== undefined) waiter.reject(error);
      else waiter.resolve({ value: undefined, done: true });
    }
    this.options.onEnd?.();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift() as T;
      this.options.onTake?.(value);
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      if (this.error !== undefined) {
        const error = this.error;
        this.error = undefined;
        return Promise.reject(error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.waiter)
      return Promise.reject(reactorError("INVALID_ARGUMENT", "A frame iterator supports one pending next() at a time"));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.options.onDemand?.();
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
