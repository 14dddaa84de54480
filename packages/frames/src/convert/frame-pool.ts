import { availableParallelism } from "node:os";
import { Piscina } from "piscina";

/** Threads of the shared pool at most: enough for several streams, bounded on big machines. */
export const SHARED_POOL_MAX_THREADS = Math.max(1, Math.min(4, availableParallelism()));
/** Tasks waiting for a thread of the shared pool at most; more are refused (counted as drops). */
export const SHARED_POOL_MAX_QUEUE = 64;
/** A pool thread with nothing to do for this long exits (a new one starts on demand). */
export const POOL_IDLE_TIMEOUT_MS = 2_000;

/** Options of {@link createFramePool}. */
export interface FramePoolOptions {
  /** Threads at most. Default {@link SHARED_POOL_MAX_THREADS}. */
  maxThreads?: number;
  /** Waiting tasks at most. Default {@link SHARED_POOL_MAX_QUEUE}. */
  maxQueue?: number;
  /** Idle threads exit after this long, ms. Default {@link POOL_IDLE_TIMEOUT_MS}. */
  idleTimeoutMs?: number;
}

/** Where a task runs: a built entry file and its named export. */
export interface PoolTaskOptions {
  filename: string;
  name: string;
  transferList?: ArrayBuffer[];
  signal?: AbortSignal;
}

/**
 * A bounded piscina pool of frame threads: RGB conversion of every receiver of the process runs
 * on the shared one ({@link acquireSharedFramePool}), and `processFrames` can run user code on it
 * or on one of its own. Threads start on demand and idle away.
 */
export interface FramePool extends AsyncDisposable {
  run<R>(task: unknown, options: PoolTaskOptions): Promise<R>;
  /** Live threads (0 once they idled away). */
  readonly threads: number;
  /** Tasks waiting for a thread. */
  readonly queued: number;
  /** Ends the threads (tasks in flight are aborted). Idempotent. */
  close(): Promise<void>;
}

/** Creates a pool of its own (see {@link FramePool}). */
export function createFramePool(options: FramePoolOptions = {}): FramePool {
  const piscina = new Piscina({
    // No minimum: after destroy() piscina re-spawns up to minThreads threads when in-flight tasks
    // were aborted (a thread leak), and idle threads should go away anyway.
    minThreads: 0,
    maxThreads: options.maxThreads ?? SHARED_POOL_MAX_THREADS,
    maxQueue: options.maxQueue ?? SHARED_POOL_MAX_QUEUE,
    idleTimeout: options.idleTimeoutMs ?? POOL_IDLE_TIMEOUT_MS,
    concurrentTasksPerWorker: 1,
  });
  // Late messages from threads being torn down surface as pool 'error' events; never crash on them.
  piscina.on("error", () => {});
  let closing: Promise<void> | undefined;
  return {
    run: (task, { filename, name, transferList, signal }) =>
      piscina.run(task, { filename, name, ...(transferList && { transferList }), ...(signal && { signal }) }),
    get threads() {
      return piscina.threads.length;
    },
    get queued() {
      return piscina.queueSize;
    },
    close() {
      closing ??= piscina.destroy();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}

let shared: { pool: FramePool; refs: number } | undefined;

/**
 * A reference to the process's shared pool, created on first use. The pool is destroyed when the
 * last reference is released, so a process with no receiver open has no pool thread.
 */
export function acquireSharedFramePool(): { pool: FramePool; release: () => Promise<void> } {
  shared ??= { pool: createFramePool(), refs: 0 };
  const entry = shared;
  entry.refs++;
  let released = false;
  return {
    pool: entry.pool,
    release: async () => {
      if (released) return;
      released = true;
      if (--entry.refs > 0) return;
      if (shared === entry) shared = undefined;
      await entry.pool.close();
    },
  };
}
