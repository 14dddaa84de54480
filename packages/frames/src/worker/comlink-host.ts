/**
 * The main-thread side of the comlink worker pattern every worker of this package follows (the
 * decoder, the encoders): {@link WorkerHost} starts one thread running an entry file that called
 * `exposeWorkerApi(api)` (comlink-expose.ts), gives a typed `api` (`Comlink.Remote`), and
 *
 * - rebuilds every error the worker reports with its ReactorError code intact (`call`), while a
 *   thread that dies is WORKER_CRASHED, failing every pending call;
 * - closes without `terminate()` mid-call: the worker is asked to leave once the calls in flight
 *   have settled and only terminated after {@link WORKER_CLOSE_GRACE_MS} (terminating inside a
 *   node-av call aborts the process; leaving during a codec load, an `import()` reading a file,
 *   leaks that file's descriptor);
 * - injects crashes for tests (`simulateCrash`: the thread exits with code 1 between calls).
 *
 * Buffers cross with `transferred(value, buffers)` (both sides), never copied.
 */
import { Worker } from "node:worker_threads";
import { type ReactorError, type ReactorErrorCode, reactorError } from "@reactor-node/protocol";
import * as Comlink from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import type { Logger } from "../logger.js";
import { fromBoundaryError } from "./boundary-error.js";
import type { Exposed } from "./comlink-expose.js";

export { transferred } from "./comlink-expose.js";

/** How long a closing worker gets to leave on its own before it is terminated. */
const WORKER_CLOSE_GRACE_MS = 2_000;

/** Options of a {@link WorkerHost}. */
export interface WorkerHostOptions {
  /** The built entry file (see `workerEntryUrl`). */
  entry: URL;
  /** Thread name (shows in profiles and `/proc/<pid>/task/<tid>/comm`). */
  name: string;
  logger: Logger;
  /** Code for failures that carry none (comlink's own, or a non-ReactorError thrown in the worker). */
  fallbackCode: ReactorErrorCode;
  /** The thread exited without being asked to: `error` is its WORKER_CRASHED error. */
  onCrash: (error: ReactorError) => void;
}

/** One worker thread and its comlink object. */
export class WorkerHost<Api extends object> {
  /** The worker's object; prefer {@link WorkerHost.call}, which types the errors. */
  readonly api: Comlink.Remote<Exposed<Api>>;
  private readonly worker: Worker;
  private exited = false;
  private closing: Promise<void> | undefined;
  private crash: ReactorError | undefined;
  /** Rejecters of the calls in flight, failed when the thread exits (no reaction piles up per call). */
  private readonly pending = new Set<(error: ReactorError) => void>();
  /** The calls in flight, settled or not, for a closing host to wait for. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly methods = new Map<PropertyKey, unknown>();

  constructor(private readonly options: WorkerHostOptions) {
    this.worker = new Worker(options.entry, { name: options.name });
    this.api = Comlink.wrap<Exposed<Api>>(nodeEndpoint(this.worker as never));
    let lastError: unknown;
    this.worker.on("error", (error) => {
      lastError = error;
    });
    this.worker.once("exit", (code) => {
      this.exited = true;
      const error = this.closing
        ? reactorError("ABORTED", `The ${options.name} thread was closed`)
        : reactorError("WORKER_CRASHED", `The ${options.name} thread exited unexpectedly (code ${code})`, {
            cause: lastError,
          });
      if (!this.closing) this.crash = error;
      for (const reject of this.pending) reject(error);
      this.pending.clear();
      if (!this.closing) options.onCrash(error);
    });
  }

  /**
   * The worker's method `name`, looked up once (for hot calls): comlink builds a new proxy, and
   * registers it for finalization, on every property read of `api`.
   */
  method<K extends keyof Exposed<Api>>(name: K): Comlink.Remote<Exposed<Api>>[K] {
    let found = this.methods.get(name);
    if (!found) {
      found = this.api[name];
      this.methods.set(name, found);
    }
    return found as Comlink.Remote<Exposed<Api>>[K];
  }

  /** OS-level thread id of the worker (Node's `threadId`). */
  get threadId(): number {
    return this.worker.threadId;
  }

  /** True once the thread is gone (crashed or closed). */
  get dead(): boolean {
    return this.exited;
  }

  /** The WORKER_CRASHED error, once the thread died on its own. */
  get crashed(): ReactorError | undefined {
    return this.crash;
  }

  /**
   * Runs `fn` against the worker's object. Rejects with the ReactorError the worker threw (code
   * intact), WORKER_CRASHED when the thread dies first, or ABORTED once closing.
   */
  async call<T>(fn: (api: Comlink.Remote<Exposed<Api>>) => Promise<T>): Promise<T> {
    if (this.crash) throw this.crash;
    if (this.closing || this.exited) throw reactorError("ABORTED", `The ${this.options.name} thread is closed`);
    try {
      return await new Promise<T>((resolve, reject) => {
        this.pending.add(reject);
        const call = fn(this.api);
        this.inFlight.add(call);
        call.then(
          (value) => {
            this.pending.delete(reject);
            this.inFlight.delete(call);
            resolve(value);
          },
          (error: unknown) => {
            this.pending.delete(reject);
            this.inFlight.delete(call);
            reject(error);
          },
        );
      });
    } catch (error) {
      throw fromBoundaryError(error, this.options.fallbackCode);
    }
  }

  /** Fault injection: the thread exits with code 1 between calls, as a crash would. */
  simulateCrash(): void {
    if (!this.exited && !this.closing) this.api.exitWhenIdle(1).catch(() => {});
  }

  /**
   * Refuses new calls, waits for those in flight (a codec still loading) to settle, then asks the
   * worker to leave (after `beforeExit`, e.g. freeing its codec, when given); terminates it if it
   * has not left {@link WORKER_CLOSE_GRACE_MS} after close. Idempotent.
   */
  close(beforeExit?: (api: Comlink.Remote<Exposed<Api>>) => Promise<unknown>): Promise<void> {
    this.closing ??= this.shutdown(beforeExit);
    return this.closing;
  }

  private async shutdown(beforeExit?: (api: Comlink.Remote<Exposed<Api>>) => Promise<unknown>): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => {
      if (this.exited) resolve();
      else this.worker.once("exit", () => resolve());
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), WORKER_CLOSE_GRACE_MS);
    });
    // comlink runs each message as it arrives, so exitWhenIdle would not wait for a call in flight
    const settled = Promise.allSettled([...this.inFlight]).then(() => "settled" as const);
    const leave = async () => {
      if ((await Promise.race([settled, exited, late])) !== "settled") return;
      await beforeExit?.(this.api).catch(() => {});
      await this.api.exitWhenIdle(0).catch(() => {});
    };
    void leave();
    if ((await Promise.race([exited, late])) === "late") {
      this.options.logger.warn(
        { threadId: this.threadId },
        `${this.options.name} thread did not leave in time; terminating it`,
      );
      await this.worker.terminate();
    }
    clearTimeout(timer);
    try {
      this.api[Comlink.releaseProxy]();
    } catch {
      // the port went with the thread
    }
  }
}
