import { Worker } from "node:worker_threads";
import { type ReactorError, reactorError, toReactorError } from "@reactor-node/protocol";
import type { FrameFormat } from "../frame.js";
import type { Logger } from "../logger.js";
import type { DecodeRequest, DecodeResponse, WorkerReply, WorkerRequest } from "../worker/messages.js";
import type { DecoderBackend } from "./backend.js";
import { workerEntryUrl } from "./worker-url.js";

/** After this many crashes without a successful decode in between, the decoder gives up. */
export const MAX_CONSECUTIVE_WORKER_CRASHES = 3;

/** Options for {@link WorkerDecoder}. */
export interface WorkerDecoderOptions {
  format: FrameFormat;
  backend: DecoderBackend;
  logger: Logger;
  /** A worker died unexpectedly; `restarting` is false when the decoder gave up. */
  onCrash: (error: ReactorError, restarting: boolean) => void;
}

interface Call {
  resolve: (response: DecodeResponse | undefined) => void;
  reject: (error: unknown) => void;
}

interface Thread {
  worker: Worker;
  /** Requests awaiting their reply, by id; rejected together when the thread dies. */
  calls: Map<number, Call>;
  nextId: number;
  ready: Promise<void>;
  /** Rejects when this thread dies. */
  died: Promise<never>;
  dead: boolean;
  kill: (error: ReactorError) => void;
}

/**
 * The main-thread handle of one decoder worker thread: starts it, forwards decode batches as
 * {@link WorkerRequest} messages (buffers transferred), turns an unexpected exit into a
 * WORKER_CRASHED error and starts a fresh thread. A crash rejects the in-flight call; there is no
 * timer anywhere.
 */
export class WorkerDecoder {
  private thread: Thread | undefined;
  private closed = false;
  private crashes = 0;
  private failure: ReactorError | undefined;

  constructor(private readonly options: WorkerDecoderOptions) {}

  /** Thread id of the live worker (changes after a restart). */
  get threadId(): number | undefined {
    return this.thread?.worker.threadId;
  }

  /** Set when the decoder cannot work any more (failed to start, or crashed too often). */
  get failed(): ReactorError | undefined {
    return this.failure;
  }

  /** Starts the worker if needed and resolves once the decoder inside is initialised. */
  start(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(reactorError("ABORTED", "The decoder is closed"));
    this.thread ??= this.spawn();
    return this.thread.ready;
  }

  /** Decodes a batch. Rejects with WORKER_CRASHED if the thread dies meanwhile. */
  async decode(request: DecodeRequest): Promise<DecodeResponse> {
    await this.start();
    const thread = this.thread!;
    const transfers: ArrayBuffer[] = request.recycled.slice();
    for (const frame of request.frames) transfers.push(frame.data.buffer as ArrayBuffer);
    const response = await call(thread, { type: "decode", id: 0, ...request }, transfers);
    this.crashes = 0;
    return response!;
  }

  /** Fault injection: makes the worker exit as if it crashed. */
  simulateCrash(): void {
    const thread = this.thread;
    if (thread && !thread.dead) thread.worker.postMessage({ type: "crash" } satisfies WorkerRequest);
  }

  /** Terminates the worker. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    if (thread && !thread.dead) {
      thread.dead = true;
      thread.kill(reactorError("ABORTED", "The decoder was closed"));
      await stopWorker(thread.worker);
    }
  }

  private spawn(): Thread {
    const url = workerEntryUrl("worker/decoder-worker.js", import.meta.url);
    const worker = new Worker(url, { name: "reactor-frames-decoder" });
    let markDead!: (error: ReactorError) => void;
    const died = new Promise<never>((_, reject) => {
      markDead = (error) => {
        reject(error);
        for (const pending of thread.calls.values()) pending.reject(error);
        thread.calls.clear();
      };
    });
    died.catch(() => {});
    const thread: Thread = {
      worker,
      calls: new Map(),
      nextId: 1,
      died,
      dead: false,
      ready: Promise.resolve(),
      kill: (error) => markDead(error),
    };
    worker.on("message", (reply: WorkerReply) => {
      const pending = thread.calls.get(reply.id);
      if (!pending) return;
      thread.calls.delete(reply.id);
      if (reply.ok) pending.resolve(reply.response);
      else pending.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    let lastError: unknown;
    worker.on("error", (error) => {
      lastError = error;
    });
    worker.on("exit", (code) => {
      if (thread.dead) return; // terminated by close()
      thread.dead = true;
      const error = reactorError("WORKER_CRASHED", `The decoder worker exited unexpectedly (code ${code})`, {
        cause: lastError,
      });
      markDead(error);
      this.onThreadDied(thread, error);
    });
    const init = call(thread, {
      type: "init",
      id: 0,
      settings: { format: this.options.format, backend: this.options.backend },
    });
    thread.ready = init
      .then(() => {})
      .catch((error: unknown) => {
        if (thread.dead) throw error; // died (crash handled by the exit listener) or closed
        // The decoder could not initialise (e.g. its WASM failed to load): retrying will not help.
        this.failure = toReactorError(
          error,
          "WORKER_CRASHED",
          `The decoder failed to start: ${(error as Error).message}`,
        );
        if (this.thread === thread) this.thread = undefined;
        thread.dead = true;
        void stopWorker(worker);
        throw this.failure;
      });
    thread.ready.catch(() => {});
    this.options.logger.debug({ threadId: worker.threadId }, "decoder worker started");
    return thread;
  }

  private onThreadDied(thread: Thread, error: ReactorError): void {
    if (this.thread !== thread || this.closed) return;
    this.thread = undefined;
    this.crashes++;
    const restarting = this.crashes < MAX_CONSECUTIVE_WORKER_CRASHES;
    this.options.logger.warn({ err: error, crashes: this.crashes, restarting }, "decoder worker crashed");
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

/** Posts `request` under a fresh id; settles with the reply, or rejects when the thread dies first. */
function call(
  thread: Thread,
  request: WorkerRequest & { id: number },
  transfers: ArrayBuffer[] = [],
): Promise<DecodeResponse | undefined> {
  if (thread.dead) return thread.died;
  const id = thread.nextId++;
  request.id = id;
  return new Promise((resolve, reject) => {
    thread.calls.set(id, { resolve, reject });
    try {
      thread.worker.postMessage(request, transfers);
    } catch (error) {
      thread.calls.delete(id);
      reject(error);
    }
  });
}

/** How long a worker gets to leave on its own before it is terminated. */
export const WORKER_CLOSE_GRACE_MS = 2_000;

/**
 * Asks the worker to exit between frames, terminating it only if it does not within
 * {@link WORKER_CLOSE_GRACE_MS}: `terminate()` in the middle of a native decoder call aborts the
 * process (N-API cannot throw into a terminating thread).
 */
async function stopWorker(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  try {
    worker.postMessage({ type: "close" } satisfies WorkerRequest);
  } catch {
    // already gone
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), WORKER_CLOSE_GRACE_MS);
  });
  if ((await Promise.race([exited, late])) === "late") await worker.terminate();
  clearTimeout(timer);
}
