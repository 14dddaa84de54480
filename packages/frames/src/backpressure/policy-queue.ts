import { reactorError } from "@reactor-node/protocol";

/**
 * What happens when frames arrive faster than the consumer takes them:
 * - `latest` (default): keep only the newest frame; older undelivered ones are dropped as `stale`.
 * - `queue`: keep up to `queueSize` frames in order; when full the oldest is dropped (`queueFull`).
 * - `block`: drop nothing; the producer is told to pause (the receiver stops feeding the decoder and
 *   buffers encoded frames instead, see the README for the memory this costs).
 */
export type BackpressurePolicy = "latest" | "queue" | "block";

/** Why a frame was not delivered. */
export type DropReason = "stale" | "queueFull" | "beforeKeyframe" | "decodeError";

/** Default bound for the `queue` and `block` policies. */
export const DEFAULT_QUEUE_SIZE = 8;

/** Options for a {@link PolicyQueue}. */
export interface PolicyQueueOptions<T> {
  policy?: BackpressurePolicy;
  /** Bound for `queue` (drop oldest beyond it) and `block` (report `full` at it). Ignored by `latest`. */
  queueSize?: number;
  /** Called for every item the policy drops. */
  onDrop?: (item: T, reason: DropReason) => void;
}

/** Throws INVALID_ARGUMENT unless `policy` is known and `queueSize` a positive integer. */
export function validatePolicy(policy: BackpressurePolicy, queueSize: number): void {
  if (!["latest", "queue", "block"].includes(policy)) {
    throw reactorError("INVALID_ARGUMENT", `Unknown backpressure policy "${String(policy)}"`);
  }
  if (!Number.isInteger(queueSize) || queueSize < 1) {
    throw reactorError("INVALID_ARGUMENT", `queueSize must be a positive integer, got ${String(queueSize)}`);
  }
}

/**
 * A bounded FIFO whose overflow behaviour is a declared {@link BackpressurePolicy}. Pure and
 * synchronous: no timers, no I/O.
 */
export class PolicyQueue<T> {
  readonly policy: BackpressurePolicy;
  readonly capacity: number;
  private items: T[] = [];
  private head = 0;
  private readonly onDrop: ((item: T, reason: DropReason) => void) | undefined;

  constructor(options: PolicyQueueOptions<T> = {}) {
    this.policy = options.policy ?? "latest";
    const size = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    validatePolicy(this.policy, size);
    this.capacity = this.policy === "latest" ? 1 : size;
    this.onDrop = options.onDrop;
  }

  /** Items waiting. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** True when a `block` queue has reached its bound (the producer should pause). */
  get full(): boolean {
    return this.length >= this.capacity;
  }

  /** Adds an item; returns the reason if an item (possibly an older one) was dropped. */
  push(item: T): DropReason | undefined {
    if (this.policy === "block" || this.length < this.capacity) {
      this.items.push(item);
      return undefined;
    }
    const oldest = this.shift() as T;
    this.items.push(item);
    const reason: DropReason = this.policy === "latest" ? "stale" : "queueFull";
    this.onDrop?.(oldest, reason);
    return reason;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head > 32 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns everything (oldest first) without counting drops. */
  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}
