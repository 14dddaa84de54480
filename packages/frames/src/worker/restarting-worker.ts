import { type ReactorError, type ReactorErrorCode, reactorError } from "@reactor-node/protocol";
import type * as Comlink from "comlink";
import type { Logger } from "../logger.js";
import type { Exposed } from "./comlink-expose.js";
import { WorkerHost } from "./comlink-host.js";

/** After this many crashes without a successful call in between, a restarting worker gives up. */
export const MAX_CONSECUTIVE_WORKER_CRASHES = 3;

/** Options of a {@link RestartingWorker}. */
export interface RestartingWorkerOptions<Api extends object> {
  /** The built entry file (see `workerEntryUrl`). */
  entry: URL;
  /** Thread name (profiles, `/proc/<pid>/task/<tid>/comm`). */
  name: string;
  /** What runs there, for messages ("decoder", "audio decoder"). */
  what: string;
  logger: Logger;
  /** Code for failures that carry none (see WorkerHost). */
  fallbackCode: ReactorErrorCode;
  /** Initialises a fresh thread's object (e.g. loads the codec); a rejection means it cannot work. */
  init: (api: Comlink.Remote<Exposed<Api>>) => Promise<unknown>;
  /** Called before a closing thread leaves (e.g. frees the codec). */
  beforeExit?: (api: Comlink.Remote<Exposed<Api>>) => Promise<unknown>;
  /** A thread died unexpectedly; `restarting` is false when the worker gave up (WORKER_FAILED). */
  onCrash: (error: ReactorError, restarting: boolean) => void;
}

interface Thread<Api extends object> {
  host: WorkerHost<Api>;
  ready: Promise<void>;
}

/**
 * A stateful worker (the package's comlink pattern, see comlink-host.ts) that is started on first
 * use and replaced when its thread dies: each crash is reported (WORKER_CRASHED) and a fresh thread
 * started, until {@link MAX_CONSECUTIVE_WORKER_CRASHES} in a row without a successful call, when it
 * gives up (WORKER_FAILED). A failed `init` is final too, with the worker's own error code. There
 * is no timer anywhere.
 */
export class RestartingWorker<Api extends object> {
  private thread: Thread<Api> | undefined;
  private closed = false;
  private crashes = 0;
  private failure: ReactorError | undefined;

  constructor(private readonly options: RestartingWorkerOptions<Api>) {}

  /** Thread id of the live worker (changes after a restart). */
  get threadId(): number | undefined {
    return this.thread?.host.threadId;
  }

  /** Set when the worker cannot work any more (failed to start, or crashed too often). */
  get failed(): ReactorError | undefined {
    return this.failure;
  }

  /** Starts the thread if needed and resolves once its object is initialised. */
  start(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(reactorError("ABORTED", `The ${this.options.what} is closed`));
    this.thread ??= this.spawn();
    return this.thread.ready;
  }

  /**
   * Runs `fn` on the live thread's host (start first). A success resets the crash count; rejects
   * with the worker's error (code intact), or WORKER_CRASHED when the thread dies meanwhile.
   */
  async call<T>(fn: (host: WorkerHost<Api>) => Promise<T>): Promise<T> {
    await this.start();
    const result = await fn(this.thread!.host);
    this.crashes = 0;
    return result;
  }

  /** Fault injection: the thread exits as if it crashed. */
  simulateCrash(): void {
    this.thread?.host.simulateCrash();
  }

  /** Ends the thread (asked to leave between calls). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    await thread?.host.close(this.options.beforeExit);
  }

  private spawn(): Thread<Api> {
    const { entry, name, logger, fallbackCode, what } = this.options;
    const host: WorkerHost<Api> = new WorkerHost<Api>({
      entry,
      name,
      logger,
      fallbackCode,
      onCrash: (error) => this.onThreadDied(thread, error),
    });
    const thread: Thread<Api> = { host, ready: Promise.resolve() };
    thread.ready = host
      .call((api) => this.options.init(api))
      .then(
        () => {},
        (error: ReactorError) => {
          if (host.dead) throw error; // died (the crash is handled by onThreadDied) or closed
          // Its codec could not be loaded: retrying will not help. The worker's error keeps its code.
          this.failure = reactorError(error.code, `The ${what} failed to start: ${error.message}`, { cause: error });
          if (this.thread === thread) this.thread = undefined;
          void host.close();
          throw this.failure;
        },
      );
    thread.ready.catch(() => {});
    logger.debug({ threadId: host.threadId }, `${what} worker started`);
    return thread;
  }

  private onThreadDied(thread: Thread<Api>, error: ReactorError): void {
    if (this.thread !== thread || this.closed) return;
    this.thread = undefined;
    this.crashes++;
    const restarting = this.crashes < MAX_CONSECUTIVE_WORKER_CRASHES;
    this.options.logger.warn({ err: error, crashes: this.crashes, restarting }, `${this.options.what} worker crashed`);
    if (restarting) {
      this.thread = this.spawn();
      this.options.onCrash(error, true);
      return;
    }
    this.failure = reactorError("WORKER_FAILED", `${error.message}; gave up after ${this.crashes} crashes`, {
      cause: error.cause,
    });
    this.options.onCrash(this.failure, false);
  }
}
