/**
 * The main-thread handle of one Opus decoder worker: starts it, sends batches (buffers
 * transferred), turns an unexpected exit into WORKER_CRASHED and starts a fresh thread, giving up
 * after {@link MAX_CONSECUTIVE_WORKER_CRASHES} crashes in a row. Closing asks the worker to leave
 * between batches.
 */
import { Worker } from "node:worker_threads";
import { type ReactorError, reactorError, toReactorError } from "@reactor-node/protocol";
import { MAX_CONSECUTIVE_WORKER_CRASHES } from "../decoder/worker-decoder.js";
import { workerEntryUrl } from "../decoder/worker-url.js";
import type { Logger } from "../logger.js";
import { WORKER_CLOSE_GRACE_MS } from "../worker/comlink-host.js";
import type {
  AudioDecoderInit,
  AudioWorkerReply,
  AudioWorkerRequest,
  AudioWorkItem,
  AudioWorkResult,
} from "./messages.js";

interface Thread {
  worker: Worker;
  calls: Map<number, { resolve: (r: AudioWorkerReply & { ok: true }) => void; reject: (e: unknown) => void }>;
  nextId: number;
  ready: Promise<void>;
  dead: boolean;
}

/** See the file comment. */
export class AudioWorker {
  private thread: Thread | undefined;
  private closed = false;
  private crashes = 0;
  private failure: ReactorError | undefined;

  constructor(
    private readonly settings: AudioDecoderInit,
    private readonly logger: Logger,
    /** A worker died; `restarting` is false when the decoder gave up. */
    private readonly onCrash: (error: ReactorError, restarting: boolean) => void,
  ) {}

  /** Set once decoding cannot continue. */
  get failed(): ReactorError | undefined {
    return this.failure;
  }

  /** Thread id of the live worker. */
  get threadId(): number | undefined {
    return this.thread?.worker.threadId;
  }

  /** Starts the worker if needed; resolves once libopus is open. */
  start(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(reactorError("ABORTED", "The audio decoder is closed"));
    this.thread ??= this.spawn();
    return this.thread.ready;
  }

  /** Decodes a batch in order; rejects with WORKER_CRASHED if the thread dies meanwhile. */
  async decode(items: AudioWorkItem[]): Promise<{ results: AudioWorkResult[]; decodeMs: number }> {
    await this.start();
    const thread = this.thread!;
    const transfer = items.flatMap((i) => (i.kind === "packet" ? [i.data.buffer as ArrayBuffer] : []));
    const reply = await call(thread, { type: "decode", id: 0, items }, transfer);
    this.crashes = 0;
    return { results: reply.results ?? [], decodeMs: reply.decodeMs ?? 0 };
  }

  /** Fault injection: the worker exits as if it crashed. */
  simulateCrash(): void {
    const thread = this.thread;
    if (thread && !thread.dead) thread.worker.postMessage({ type: "crash" } satisfies AudioWorkerRequest);
  }

  /** Stops the worker (idempotent); resolves once the thread is gone. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    if (!thread || thread.dead) return;
    thread.dead = true;
    for (const c of thread.calls.values()) c.reject(reactorError("ABORTED", "The audio decoder was closed"));
    thread.calls.clear();
    const exited = new Promise<void>((resolve) => thread.worker.once("exit", () => resolve()));
    try {
      thread.worker.postMessage({ type: "close" } satisfies AudioWorkerRequest);
    } catch {
      // already gone
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), WORKER_CLOSE_GRACE_MS);
    });
    if ((await Promise.race([exited, late])) === "late") await thread.worker.terminate();
    clearTimeout(timer);
  }

  private spawn(): Thread {
    const worker = new Worker(workerEntryUrl("audio/opus-decoder-worker.js", import.meta.url), {
      name: "reactor-frames-opus",
    });
    const thread: Thread = { worker, calls: new Map(), nextId: 1, ready: Promise.resolve(), dead: false };
    worker.on("message", (reply: AudioWorkerReply) => {
      const pending = thread.calls.get(reply.id);
      if (!pending) return;
      thread.calls.delete(reply.id);
      if (reply.ok) pending.resolve(reply);
      else pending.reject(reactorError("WORKER_CRASHED", `The audio decoder failed: ${reply.error.message}`));
    });
    let lastError: unknown;
    worker.on("error", (error) => {
      lastError = error;
    });
    worker.on("exit", (code) => {
      if (thread.dead) return;
      thread.dead = true;
      const error = reactorError("WORKER_CRASHED", `The audio decoder worker exited unexpectedly (code ${code})`, {
        cause: lastError,
      });
      for (const c of thread.calls.values()) c.reject(error);
      thread.calls.clear();
      this.onThreadDied(thread, error);
    });
    thread.ready = call(thread, { type: "init", id: 0, settings: this.settings }).then(
      () => {},
      (error: unknown) => {
        if (thread.dead) throw error;
        this.failure = toReactorError(error, "WORKER_CRASHED", `The audio decoder failed to start: ${String(error)}`);
        thread.dead = true;
        if (this.thread === thread) this.thread = undefined;
        void worker.terminate();
        throw this.failure;
      },
    );
    thread.ready.catch(() => {});
    this.logger.debug({ threadId: worker.threadId }, "audio decoder worker started");
    return thread;
  }

  private onThreadDied(thread: Thread, error: ReactorError): void {
    if (this.thread !== thread || this.closed) return;
    this.thread = undefined;
    this.crashes++;
    const restarting = this.crashes < MAX_CONSECUTIVE_WORKER_CRASHES;
    this.logger.warn({ err: error, crashes: this.crashes, restarting }, "audio decoder worker crashed");
    if (restarting) {
      this.thread = this.spawn();
      this.onCrash(error, true);
      return;
    }
    this.failure = reactorError("WORKER_FAILED", `${error.message}; gave up after ${this.crashes} crashes`, {
      cause: error.cause,
    });
    this.onCrash(this.failure, false);
  }
}

function call(
  thread: Thread,
  request: AudioWorkerRequest & { id: number },
  transfer: ArrayBuffer[] = [],
): Promise<AudioWorkerReply & { ok: true }> {
  if (thread.dead) return Promise.reject(reactorError("WORKER_CRASHED", "The audio decoder worker is gone"));
  request.id = thread.nextId++;
  return new Promise((resolve, reject) => {
    thread.calls.set(request.id, { resolve, reject });
    try {
      thread.worker.postMessage(request, transfer);
    } catch (error) {
      thread.calls.delete(request.id);
      reject(error);
    }
  });
}
