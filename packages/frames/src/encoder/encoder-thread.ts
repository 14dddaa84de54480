import { Worker } from "node:worker_threads";
import { ERROR_CODES, type ReactorError, type ReactorErrorCode, reactorError } from "@reactor-node/protocol";
import * as Comlink from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { workerEntryUrl } from "../decoder/worker-url.js";
import type { Logger } from "../logger.js";
import type { EncoderWorkerApi, EncoderWorkerInit } from "./worker-api.js";

/** How long a closing encoder worker gets to leave on its own before it is terminated. */
export const ENCODER_CLOSE_GRACE_MS = 2_000;

/** Rebuilds the ReactorError a worker threw (its code travels in the error's name, see encoder-worker). */
export function fromWorkerError(error: unknown, fallback: ReactorErrorCode = "FRAME_ENCODE_ERROR"): ReactorError {
  const name = (error as { name?: unknown })?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof name === "string" && name.startsWith("ReactorError:")) {
    const code = name.slice("ReactorError:".length);
    if (code in ERROR_CODES) return reactorError(code as ReactorErrorCode, message);
  }
  return reactorError(fallback, message, { cause: error });
}

/**
 * The main-thread side of one encoder worker: starts the thread, wraps its comlink object and
 * turns an unexpected exit into a WORKER_CRASHED error that fails every pending call.
 */
export class EncoderThread {
  readonly api: Comlink.Remote<EncoderWorkerApi>;
  private readonly worker: Worker;
  private exited = false;
  private closing: Promise<void> | undefined;
  private readonly died: Promise<never>;
  private crash: ReactorError | undefined;

  constructor(
    private readonly logger: Logger,
    onCrash: (error: ReactorError) => void,
  ) {
    this.worker = new Worker(workerEntryUrl("encoder/encoder-worker.js", import.meta.url), {
      name: "reactor-frames-encoder",
    });
    this.api = Comlink.wrap<EncoderWorkerApi>(nodeEndpoint(this.worker as never));
    let lastError: unknown;
    this.worker.on("error", (error) => {
      lastError = error;
    });
    this.died = new Promise<never>((_, reject) => {
      this.worker.once("exit", (code) => {
        this.exited = true;
        if (this.closing) return;
        this.crash = reactorError("WORKER_CRASHED", `The encoder worker exited unexpectedly (code ${code})`, {
          cause: lastError,
        });
        reject(this.crash);
        onCrash(this.crash);
      });
    });
    this.died.catch(() => {});
  }

  /** Thread id of the worker. */
  get threadId(): number {
    return this.worker.threadId;
  }

  /** Set once the worker died on its own. */
  get crashed(): ReactorError | undefined {
    return this.crash;
  }

  /** Starts the encoder inside the worker. */
  init(settings: EncoderWorkerInit): Promise<void> {
    return this.call(() => this.api.init(settings));
  }

  /** Runs a worker call; rejects with the worker's typed error, or WORKER_CRASHED if the thread dies first. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.crash) throw this.crash;
    if (this.closing) throw reactorError("ABORTED", "The encoder is closed");
    try {
      return await Promise.race([fn(), this.died]);
    } catch (error) {
      if (error === this.crash || (error as ReactorError)?.code === "WORKER_CRASHED") throw error;
      throw fromWorkerError(error);
    }
  }

  /** Fault injection: the worker exits as if it crashed. */
  simulateCrash(): void {
    if (!this.exited) void this.worker.terminate();
  }

  /** Asks the worker to free its encoder and leave; terminates it after a grace period (idempotent). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.exited) return;
      const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
      this.api.close().catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), ENCODER_CLOSE_GRACE_MS);
      });
      if ((await Promise.race([exited, late])) === "late") {
        this.logger.warn({ threadId: this.worker.threadId }, "encoder worker did not leave in time; terminating it");
        await this.worker.terminate();
      }
      clearTimeout(timer);
      try {
        this.api[Comlink.releaseProxy]();
      } catch {
        // the port is gone with the thread
      }
    })();
    return this.closing;
  }
}
