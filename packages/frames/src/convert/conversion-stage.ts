import { type ReactorError, reactorError } from "@reactor-node/protocol";
import { workerEntryUrl } from "../decoder/worker-url.js";
import { frameByteLength } from "../frame.js";
import type { ConvertTask, ConvertTaskResult } from "./convert-messages.js";
import type { FramePool } from "./frame-pool.js";

/** Conversions of one stream in flight at most when its consumers want every frame. */
export const MAX_CONVERSIONS_IN_FLIGHT = 2;

/** A decoded picture waiting for conversion: packed I420 plus whatever the caller attaches. */
export interface PendingConversion<T> {
  i420: Uint8Array;
  width: number;
  height: number;
  info: T;
}

/** Options of a {@link ConversionStage}. */
export interface ConversionStageOptions<T> {
  pool: FramePool;
  format: "rgb24" | "rgba";
  /** True while every consumer follows `latest`: only the newest waiting picture is worth converting. */
  latestOnly: () => boolean;
  /** An output buffer of `bytes` to reuse (a released frame's), if any. */
  takeBuffer: (bytes: number) => ArrayBuffer | undefined;
  /** Converted, in push order. `i420` (the picture's pixels, or the buffer they came back in) is free for reuse. */
  onConverted: (rgb: Uint8Array, picture: PendingConversion<T>, i420: Uint8Array, convertMs: number) => void;
  /** Never converted: superseded under `latest` (`stale`), refused by a full pool (`queueFull`), or lost with a pool thread. */
  onDropped: (picture: PendingConversion<T>, reason: "stale" | "queueFull" | "failed", error?: ReactorError) => void;
}

const TASK_FILE = workerEntryUrl("convert/convert-task.js", import.meta.url).href;

/**
 * Per stream: sends decoded I420 pictures to the shared conversion pool and hands the RGB back in
 * push order. Under `latest` at most one picture converts and one waits (a newer one replaces
 * it, unconverted); otherwise {@link MAX_CONVERSIONS_IN_FLIGHT} convert and the rest wait.
 */
export class ConversionStage<T> {
  private readonly waiting: PendingConversion<T>[] = [];
  private inFlight = 0;
  private nextSeq = 0;
  private nextOut = 0;
  private readonly done = new Map<number, () => void>();
  private closed = false;
  private readonly abort = new AbortController();

  constructor(private readonly options: ConversionStageOptions<T>) {}

  /** Pictures waiting or converting. */
  get size(): number {
    return this.waiting.length + this.inFlight;
  }

  push(picture: PendingConversion<T>): void {
    if (this.closed) return;
    if (this.options.latestOnly()) {
      for (const stale of this.waiting.splice(0)) this.options.onDropped(stale, "stale");
    }
    this.waiting.push(picture);
    this.start();
  }

  /** Drops what waits (as stale) and abandons what converts. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stale of this.waiting.splice(0)) this.options.onDropped(stale, "stale");
    this.abort.abort();
  }

  private start(): void {
    const limit = this.options.latestOnly() ? 1 : MAX_CONVERSIONS_IN_FLIGHT;
    while (!this.closed && this.inFlight < limit && this.waiting.length > 0) {
      this.convert(this.waiting.shift()!, this.nextSeq++);
    }
  }

  private convert(picture: PendingConversion<T>, seq: number): void {
    this.inFlight++;
    const { format } = this.options;
    const bytes = frameByteLength(format, picture.width, picture.height);
    const out = this.options.takeBuffer(bytes) ?? new ArrayBuffer(bytes);
    const { i420 } = picture;
    const task: ConvertTask = { i420, out, width: picture.width, height: picture.height, format };
    // A view of the decoder's shared memory crosses as a reference; a buffer of its own is moved.
    const transferList = i420.buffer instanceof SharedArrayBuffer ? [out] : [out, i420.buffer as ArrayBuffer];
    this.options.pool
      .run<ConvertTaskResult>(task, {
        filename: TASK_FILE,
        name: "convertFrame",
        transferList,
        signal: this.abort.signal,
      })
      .then(
        (result) =>
          this.finish(seq, () =>
            this.options.onConverted(
              new Uint8Array(result.out),
              picture,
              result.i420 ? new Uint8Array(result.i420) : i420,
              result.convertMs,
            ),
          ),
        (error: unknown) => {
          if (this.closed) return;
          const full = error instanceof Error && /queue is at limit/i.test(error.message);
          const failure = full
            ? undefined
            : reactorError("WORKER_CRASHED", `A frame conversion thread failed: ${String(error)}`, { cause: error });
          this.finish(seq, () => this.options.onDropped(picture, full ? "queueFull" : "failed", failure));
        },
      );
  }

  /** Runs the outcomes in push order. */
  private finish(seq: number, outcome: () => void): void {
    this.inFlight--;
    if (this.closed) return;
    this.done.set(seq, outcome);
    for (let next = this.done.get(this.nextOut); next; next = this.done.get(this.nextOut)) {
      this.done.delete(this.nextOut++);
      next();
    }
    this.start();
  }
}
