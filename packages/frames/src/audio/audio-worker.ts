/**
 * The main-thread handle of one Opus decoder worker, on the package's comlink worker pattern
 * (worker/comlink-host.ts): starts it, sends batches (buffers transferred), turns an unexpected
 * exit into WORKER_CRASHED and starts a fresh thread, giving up (WORKER_FAILED) after
 * {@link MAX_CONSECUTIVE_WORKER_CRASHES} crashes in a row.
 */
import { type ReactorError, reactorError } from "@reactor-node/protocol";
import { MAX_CONSECUTIVE_WORKER_CRASHES } from "../decoder/worker-decoder.js";
import { workerEntryUrl } from "../decoder/worker-url.js";
import type { Logger } from "../logger.js";
import { transferred, WorkerHost } from "../worker/comlink-host.js";
import type { AudioBatchResult, AudioDecoderApi, AudioDecoderInit, AudioWorkItem } from "./messages.js";

interface Thread {
  host: WorkerHost<AudioDecoderApi>;
  ready: Promise<void>;
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
    return this.thread?.host.threadId;
  }

  /** Starts the worker if needed; resolves once libopus is open. */
  start(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(reactorError("ABORTED", "The audio decoder is closed"));
    this.thread ??= this.spawn();
    return this.thread.ready;
  }

  /** Decodes a batch in order; rejects with WORKER_CRASHED if the thread dies meanwhile. */
  async decode(items: AudioWorkItem[]): Promise<AudioBatchResult> {
    await this.start();
    const { host } = this.thread!;
    const buffers = items.flatMap((i) => (i.kind === "packet" ? [i.data.buffer as ArrayBuffer] : []));
    const decode = host.method("decode");
    const result = await host.call(() => decode(transferred(items, buffers)));
    this.crashes = 0;
    return result;
  }

  /** Fault injection: the worker exits as if it crashed. */
  simulateCrash(): void {
    this.thread?.host.simulateCrash();
  }

  /** Frees libopus and ends the worker (idempotent); resolves once the thread is gone. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    await thread?.host.close((api) => api.close());
  }

  private spawn(): Thread {
    const host: WorkerHost<AudioDecoderApi> = new WorkerHost<AudioDecoderApi>({
      entry: workerEntryUrl("audio/opus-decoder-worker.js", import.meta.url),
      name: "reactor-frames-opus",
      logger: this.logger,
      fallbackCode: "WORKER_CRASHED",
      onCrash: (error) => this.onThreadDied(thread, error),
    });
    const thread: Thread = { host, ready: Promise.resolve() };
    thread.ready = host
      .call((api) => api.init(this.settings))
      .catch((error: ReactorError) => {
        if (host.dead) throw error;
        // libav.js could not load or open libopus: retrying will not help.
        this.failure = reactorError(error.code, `The audio decoder failed to start: ${error.message}`, {
          cause: error,
        });
        if (this.thread === thread) this.thread = undefined;
        void host.close();
        throw this.failure;
      });
    thread.ready.catch(() => {});
    this.logger.debug({ threadId: host.threadId }, "audio decoder worker started");
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
