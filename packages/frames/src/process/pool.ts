import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { type ReactorError, reactorError, toReactorError } from "@reactor-node/protocol";
import { type BackpressurePolicy, DEFAULT_QUEUE_SIZE, PolicyQueue } from "../backpressure/policy-queue.js";
import { PolicyStream } from "../backpressure/policy-stream.js";
import { acquireSharedFramePool, createFramePool, type FramePool } from "../convert/frame-pool.js";
import { workerEntryUrl } from "../decoder/worker-url.js";
import type { VideoFrame } from "../frame.js";
import { type Logger, SILENT_LOGGER } from "../logger.js";
import type { FrameTask, FrameTaskOutcome } from "./task-messages.js";

const TASK_FILE = workerEntryUrl("process/frame-task.js", import.meta.url).href;

/** Results waiting for the consumer before processing pauses. */
export const PROCESSOR_OUTPUT_BUFFER = 32;

/** Options of {@link processFrames}. */
export interface FrameProcessorOptions {
  /** Worker threads (and frames in flight). Default: CPU count - 1, at least 1. */
  concurrency?: number;
  /**
   * What to do with frames that arrive while every thread is busy: `latest` (default) processes the
   * newest and drops the rest as stale, `queue` keeps `queueSize` (oldest dropped), `block` stops
   * pulling from the source (use a `block` source iterator so nothing is dropped upstream either).
   */
  policy?: BackpressurePolicy;
  queueSize?: number;
  /** Aborting closes the processor. */
  signal?: AbortSignal;
  logger?: Logger;
  /**
   * Where the function runs: a pool of its own (default, `concurrency` threads, ended on close),
   * `"shared"`, the process's shared frame pool that receivers convert on (`conversion: "pool"`),
   * or a {@link FramePool} of yours (not closed with the processor). `concurrency` still bounds
   * this processor's frames in flight.
   */
  pool?: FramePool | "shared";
  /**
   * Called with each source frame once its task has finished (e.g. `receiver.release`): frames
   * cross to the pool zero-copy, by transfer or, for frames in a decoder's shared memory, by
   * reference, so a released frame lets the decoder reuse that memory.
   */
  release?: (frame: VideoFrame) => void;
}

/** The frame's metadata (its pixels were transferred to the processing thread). */
export type ProcessedFrameInfo = Omit<VideoFrame, "data">;

/** One outcome, in frame order: the function's return value, or what it threw. */
export type ProcessedFrame<R> =
  | { frame: ProcessedFrameInfo; result: R }
  | { frame: ProcessedFrameInfo; error: unknown };

/** Counters of a processor. */
export interface FrameProcessorStats {
  received: number;
  processed: number;
  /** Frames whose function threw (still yielded, with `error`). */
  failed: number;
  dropped: { stale: number; queueFull: number };
}

/** A running pool; iterate it for results in frame order. */
export interface FrameProcessor<R> extends AsyncIterable<ProcessedFrame<R>>, AsyncDisposable {
  stats(): FrameProcessorStats;
  /** Stops pulling frames, ends the results and terminates the pool threads. Idempotent. */
  close(): Promise<void>;
}

/**
 * Runs the default export of `workerModule` (a file path or URL of an ES module:
 * `export default (frame: VideoFrame) => result`) on every frame of `source` in a piscina pool.
 * Pixel buffers are transferred zero-copy, so the frames must not be used elsewhere afterwards.
 * Results come back in frame order. Iterating ends when the source ends (after the last result),
 * on close and on abort; it throws a ReactorError if the module cannot be loaded (INVALID_ARGUMENT)
 * or a thread dies (WORKER_CRASHED).
 */
export function processFrames<R = unknown>(
  source: AsyncIterable<VideoFrame>,
  workerModule: string | URL,
  options: FrameProcessorOptions = {},
): FrameProcessor<R> {
  return new Processor<R>(source, workerModule, options);
}

class Processor<R> implements FrameProcessor<R> {
  private readonly pool: FramePool;
  private readonly releasePool: () => Promise<void>;
  private readonly moduleUrl: string;
  private readonly concurrency: number;
  private readonly input: PolicyQueue<VideoFrame>;
  private readonly output: PolicyStream<ProcessedFrame<R>>;
  private readonly logger: Logger;
  private readonly counters: FrameProcessorStats = {
    received: 0,
    processed: 0,
    failed: 0,
    dropped: { stale: 0, queueFull: 0 },
  };
  private sourceIterator: AsyncIterator<VideoFrame> | undefined;
  private sourceDone = false;
  private inFlight = 0;
  private nextSeq = 0;
  private nextEmit = 0;
  private readonly done = new Map<number, ProcessedFrame<R>>();
  private spaceWaiter: (() => void) | undefined;
  private isClosed = false;
  private closing: Promise<void> | undefined;
  private readonly onAbort = (): void => void this.close();
  /** Aborts in-flight tasks on close (piscina terminates a thread whose task is aborted). */
  private readonly tasks = new AbortController();

  constructor(
    source: AsyncIterable<VideoFrame>,
    workerModule: string | URL,
    private readonly options: FrameProcessorOptions,
  ) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.moduleUrl = toModuleUrl(workerModule);
    this.concurrency = options.concurrency ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw reactorError("INVALID_ARGUMENT", `concurrency must be a positive integer, got ${String(this.concurrency)}`);
    }
    this.input = new PolicyQueue<VideoFrame>({
      policy: options.policy ?? "latest",
      queueSize: options.queueSize ?? DEFAULT_QUEUE_SIZE,
      onDrop: (_frame, reason) => {
        if (reason === "stale" || reason === "queueFull") this.counters.dropped[reason]++;
      },
    });
    this.output = new PolicyStream<ProcessedFrame<R>>({
      policy: "block",
      queueSize: PROCESSOR_OUTPUT_BUFFER,
      onTake: () => this.dispatch(),
      onDemand: () => this.dispatch(),
      onEnd: () => void this.close(),
    });
    if (options.pool === "shared") {
      const shared = acquireSharedFramePool();
      this.pool = shared.pool;
      this.releasePool = shared.release;
    } else if (options.pool) {
      if (typeof options.pool.run !== "function")
        throw reactorError("INVALID_ARGUMENT", `pool must be "shared" or a FramePool, got ${String(options.pool)}`);
      this.pool = options.pool;
      this.releasePool = async () => {};
    } else {
      // Threads start on demand and live until close().
      const own = createFramePool({ maxThreads: this.concurrency, idleTimeoutMs: Number.POSITIVE_INFINITY });
      this.pool = own;
      this.releasePool = () => own.close();
    }
    if (options.signal?.aborted) void this.close();
    else options.signal?.addEventListener("abort", this.onAbort, { once: true });
    void this.pull(source);
  }

  [Symbol.asyncIterator](): AsyncIterator<ProcessedFrame<R>> {
    return this.output;
  }

  stats(): FrameProcessorStats {
    return { ...this.counters, dropped: { ...this.counters.dropped } };
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.isClosed = true; // before shutdown(): ending the output calls back into close()
      this.closing = this.shutdown();
    }
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.output.end();
    this.spaceWaiter?.();
    this.input.drain();
    const iterator = this.sourceIterator;
    void iterator?.return?.()?.catch(() => undefined); // may wait for a pending next(); do not block on it
    this.tasks.abort();
    await this.releasePool();
  }

  /** Pulls frames from the source; under `block` it waits for queue space before pulling again. */
  private async pull(source: AsyncIterable<VideoFrame>): Promise<void> {
    try {
      this.sourceIterator = source[Symbol.asyncIterator]();
      while (!this.isClosed) {
        if (this.input.policy === "block" && this.input.full) {
          await new Promise<void>((resolve) => {
            this.spaceWaiter = resolve;
          });
          this.spaceWaiter = undefined;
          continue;
        }
        const next = await this.sourceIterator.next();
        if (next.done || this.isClosed) break;
        this.counters.received++;
        this.input.push(next.value);
        this.dispatch();
      }
    } catch (error) {
      // A ReactorError from the source (a receiver's decoder failure) keeps its code; anything else
      // is the source's own fault, not an abort.
      this.fail(toReactorError(error, "FRAME_SOURCE_FAILED", `The frame source failed: ${(error as Error).message}`));
      return;
    }
    this.sourceDone = true;
    this.maybeFinish();
  }

  private dispatch(): void {
    while (!this.isClosed && this.inFlight < this.concurrency && this.input.length > 0 && !this.output.full) {
      const frame = this.input.shift()!;
      this.spaceWaiter?.();
      this.run(this.nextSeq++, frame);
    }
  }

  private run(seq: number, frame: VideoFrame): void {
    this.inFlight++;
    const { data, ...info } = frame;
    // A frame in its own buffer moves; a view of shared memory (a decoder slot) crosses as a reference.
    const own = !(data.buffer instanceof SharedArrayBuffer) && data.byteOffset === 0;
    const transferList = own && data.byteLength === data.buffer.byteLength ? [data.buffer] : [];
    const task: FrameTask = { moduleUrl: this.moduleUrl, frame };
    this.pool
      .run<FrameTaskOutcome>(task, {
        filename: TASK_FILE,
        name: "runFrameTask",
        transferList: transferList as ArrayBuffer[],
        signal: this.tasks.signal,
      })
      .then(
        (outcome) => {
          this.options.release?.(frame);
          if (outcome.kind === "loadError") {
            this.fail(reactorError("INVALID_ARGUMENT", `Cannot load frame processor: ${outcome.message}`));
            return;
          }
          this.counters.processed++;
          if (outcome.kind === "error") this.counters.failed++;
          const item: ProcessedFrame<R> =
            outcome.kind === "ok" ? { frame: info, result: outcome.value as R } : { frame: info, error: outcome.error };
          this.complete(seq, item);
        },
        (error: unknown) => {
          if (this.isClosed) return;
          this.fail(
            reactorError("WORKER_CRASHED", `A frame processing thread failed: ${String(error)}`, { cause: error }),
          );
        },
      );
  }

  /** Emits results strictly in submission order. */
  private complete(seq: number, item: ProcessedFrame<R>): void {
    this.inFlight--;
    this.done.set(seq, item);
    for (let next = this.done.get(this.nextEmit); next; next = this.done.get(this.nextEmit)) {
      this.done.delete(this.nextEmit++);
      this.output.push(next);
    }
    this.dispatch();
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.sourceDone && this.inFlight === 0 && this.input.length === 0 && this.done.size === 0) {
      this.output.finish();
    }
  }

  private fail(error: ReactorError): void {
    if (this.isClosed) return;
    this.logger.error({ err: error }, error.message);
    this.output.end(error);
  }
}

function toModuleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module)) return module;
  return pathToFileURL(module).href;
}
