import type { ReactorError } from "@reactor-node/protocol";
import { type BackpressurePolicy, validatePolicy } from "../backpressure/policy-queue.js";
import { PolicyStream } from "../backpressure/policy-stream.js";
import type { VideoFrame } from "../frame.js";
import { Listeners } from "../listeners.js";
import type { Logger } from "../logger.js";
import type { FrameStreamOptions } from "./options.js";
import type { VideoReceiverStats } from "./stats.js";

/** Options of {@link FrameConsumers}. */
export interface FrameConsumersOptions {
  logger: Logger;
  /** The receiver's policy: callbacks follow it, and iterators default to it. */
  policy: BackpressurePolicy;
  queueSize: number;
  /** The receiver's counters (`delivered` and drops are counted here). */
  counters: VideoReceiverStats;
  /** Nobody can see `frame` any more: its pixel memory may be reused. */
  recycle: (frame: VideoFrame) => void;
  /** Consumers took frames, asked for more or went: decoding may continue. */
  onDemand: () => void;
}

/**
 * Who consumes one receiver's frames: `onFrame` callbacks and `frames()` iterators, each iterator
 * with its own policy queue. Decides what a decode batch is worth converting, whether decoding
 * must pause (`block`), and when a frame's memory is free again (a frame only iterators saw is
 * recycled once the last of them dropped it; a frame a callback saw, only on `release`).
 */
export class FrameConsumers {
  private readonly listeners: Listeners<VideoFrame>;
  private readonly streams = new Set<PolicyStream<VideoFrame>>();
  /** Frames queued only in iterators (no callback saw them): how many iterators still hold each. */
  private readonly recyclable = new WeakMap<VideoFrame, number>();

  constructor(private readonly options: FrameConsumersOptions) {
    this.listeners = new Listeners(options.logger, "frame");
  }

  /** Subscribes a callback (the receiver's policy applies). */
  onFrame(callback: (frame: VideoFrame) => void): () => void {
    return this.listeners.add(callback);
  }

  /** A new iterator; `ended` (a closed receiver) returns one already ended, with `failure` if any. */
  open(options: FrameStreamOptions, ended: boolean, failure: ReactorError | undefined): PolicyStream<VideoFrame> {
    const { counters, onDemand } = this.options;
    const policy = options.policy ?? this.options.policy;
    const queueSize = options.queueSize ?? this.options.queueSize;
    validatePolicy(policy, queueSize);
    const stream: PolicyStream<VideoFrame> = new PolicyStream<VideoFrame>({
      policy,
      queueSize,
      signal: options.signal,
      onDrop: (frame, reason) => {
        counters.dropped[reason]++;
        this.unref(frame);
      },
      onDiscard: (frames) => {
        for (const frame of frames) this.unref(frame);
      },
      onTake: (frame) => {
        counters.delivered++;
        this.recyclable.delete(frame);
        onDemand();
      },
      onDemand,
      onEnd: () => {
        this.streams.delete(stream);
        onDemand();
      },
    });
    if (ended) stream.end(failure);
    else this.streams.add(stream);
    return stream;
  }

  /** Hands a delivered frame to every consumer (drops are counted by each iterator). */
  dispatch(frame: VideoFrame): void {
    const hasCallbacks = this.listeners.size > 0;
    if (!hasCallbacks && this.streams.size === 0) {
      this.options.counters.dropped.stale++;
      this.options.recycle(frame);
      return;
    }
    if (hasCallbacks) {
      this.options.counters.delivered++;
      this.listeners.emit(frame);
    } else {
      this.recyclable.set(frame, this.streams.size);
    }
    for (const stream of [...this.streams]) stream.push(frame);
  }

  /** The consumer is done with `frame`. */
  release(frame: VideoFrame): void {
    this.recyclable.delete(frame);
    this.options.recycle(frame);
  }

  /** Under `block`, a full iterator pauses decoding. */
  get blocked(): boolean {
    for (const stream of this.streams) if (stream.policy === "block" && stream.full) return true;
    return false;
  }

  /** How many of a batch's newest frames are worth converting given who is consuming. */
  budget(batchLength: number): number {
    let budget = 0;
    if (this.listeners.size > 0) budget = need(this.options.policy, this.options.queueSize, batchLength);
    for (const stream of this.streams) budget = Math.max(budget, need(stream.policy, stream.capacity, batchLength));
    return budget;
  }

  /** True while every consumer follows `latest` (only the newest picture is worth converting). */
  latestOnly(): boolean {
    if (this.listeners.size > 0 && this.options.policy !== "latest") return false;
    for (const stream of this.streams) if (stream.policy !== "latest") return false;
    return true;
  }

  /** Ends every iterator (with `failure`, if any). */
  end(failure?: ReactorError): void {
    for (const stream of [...this.streams]) stream.end(failure);
    this.streams.clear();
  }

  /** Ends every iterator and drops the callbacks. */
  close(failure?: ReactorError): void {
    this.end(failure);
    this.listeners.clear();
  }

  /** One iterator no longer holds `frame`; recycle it when nobody else can see it. */
  private unref(frame: VideoFrame): void {
    const holders = this.recyclable.get(frame);
    if (holders === undefined) return;
    if (holders > 1) {
      this.recyclable.set(frame, holders - 1);
      return;
    }
    this.recyclable.delete(frame);
    this.options.recycle(frame);
  }
}

function need(policy: BackpressurePolicy, queueSize: number, batchLength: number): number {
  if (policy === "latest") return 1;
  if (policy === "queue") return Math.min(queueSize, batchLength);
  return batchLength;
}
