import { type ReactorError, reactorError } from "@reactor-node/protocol";
import type { FrameFormat } from "../frame.js";
import type { Logger } from "../logger.js";
import { transferred, WorkerHost } from "../worker/comlink-host.js";
import { unpackReply } from "../worker/decode-reply.js";
import type { DecodeBatch, DecodeResult, DecoderApi, DecoderWorkerStats } from "../worker/decoder-api.js";
import type { DecoderBackend } from "./backend.js";
import { workerEntryUrl } from "./worker-url.js";

/** After this many crashes without a successful decode in between, the decoder gives up. */
export const MAX_CONSECUTIVE_WORKER_CRASHES = 3;

/** Options for {@link WorkerDecoder}. */
export interface WorkerDecoderOptions {
  /** What the worker delivers: `i420` (converted elsewhere) or an RGB format it converts itself. */
  output: FrameFormat;
  backend: DecoderBackend;
  logger: Logger;
  /** A worker died unexpectedly; `restarting` is false when the decoder gave up. */
  onCrash: (error: ReactorError, restarting: boolean) => void;
}

interface Thread {
  host: WorkerHost<DecoderApi>;
  ready: Promise<void>;
}

/**
 * The main-thread handle of one stream's decoder worker (a comlink `Decoder`, see
 * worker/decoder-api.ts): starts it, forwards decode batches (buffers transferred), and turns an
 * unexpected exit into a WORKER_CRASHED error and a fresh thread. An error the worker reports
 * keeps its code; a crash rejects the in-flight call. There is no timer anywhere.
 */
export class WorkerDecoder {
  private thread: Thread | undefined;
  private closed = false;
  private crashes = 0;
  private failure: ReactorError | undefined;

  constructor(private readonly options: WorkerDecoderOptions) {}

  /** Thread id of the live worker (changes after a restart). */
  get threadId(): number | undefined {
    return this.thread?.host.threadId;
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
  async decode(batch: DecodeBatch): Promise<DecodeResult> {
    await this.start();
    const transfers: ArrayBuffer[] = batch.recycled.slice();
    for (const frame of batch.frames) transfers.push(frame.data.buffer as ArrayBuffer);
    const { host } = this.thread!;
    const decode = host.method("decode");
    const result = unpackReply(await host.call(() => decode(transferred(batch, transfers))));
    this.crashes = 0;
    return result;
  }

  /** The worker's own counters. */
  async workerStats(): Promise<DecoderWorkerStats> {
    await this.start();
    return this.thread!.host.call((api) => api.stats());
  }

  /** Fault injection: makes the worker exit as if it crashed. */
  simulateCrash(): void {
    this.thread?.host.simulateCrash();
  }

  /** Frees the decoder and ends the worker. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    await thread?.host.close((api) => api.close());
  }

  private spawn(): Thread {
    const host: WorkerHost<DecoderApi> = new WorkerHost<DecoderApi>({
      entry: workerEntryUrl("worker/decoder-worker.js", import.meta.url),
      name: "reactor-frames-decoder",
      logger: this.options.logger,
      fallbackCode: "FRAME_DECODE_ERROR",
      onCrash: (error) => this.onThreadDied(thread, error),
    });
    const settings = { backend: this.options.backend, output: this.options.output };
    const thread: Thread = { host, ready: Promise.resolve() };
    thread.ready = host
      .call((api) => api.init(settings))
      .catch((error: ReactorError) => {
        if (host.dead) throw error; // died (the crash is handled by onThreadDied) or closed
        // The decoder could not initialise (its WASM or node-av failed to load): retrying will not
        // help. The worker's error keeps its code.
        this.failure = reactorError(error.code, `The decoder failed to start: ${error.message}`, { cause: error });
        if (this.thread === thread) this.thread = undefined;
        void host.close();
        throw this.failure;
      });
    thread.ready.catch(() => {});
    this.options.logger.debug({ threadId: host.threadId }, "decoder worker started");
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
