/**
 * The main-thread handle of one Opus decoder worker, on the package's comlink worker pattern
 * (worker/comlink-host.ts) and restarted like the video decoder (worker/restarting-worker.ts):
 * starts it, sends batches (buffers transferred), turns an unexpected exit into WORKER_CRASHED and
 * starts a fresh thread, giving up (WORKER_FAILED) after MAX_CONSECUTIVE_WORKER_CRASHES crashes in
 * a row.
 */
import type { ReactorError } from "@reactor-node/protocol";
import { workerEntryUrl } from "../decoder/worker-url.js";
import type { Logger } from "../logger.js";
import { transferred } from "../worker/comlink-host.js";
import { RestartingWorker } from "../worker/restarting-worker.js";
import type { AudioBatchResult, AudioDecoderApi, AudioDecoderInit, AudioWorkItem } from "./messages.js";

/** See the file comment. */
export class AudioWorker {
  private readonly worker: RestartingWorker<AudioDecoderApi>;

  constructor(
    settings: AudioDecoderInit,
    logger: Logger,
    /** A worker died; `restarting` is false when the decoder gave up. */
    onCrash: (error: ReactorError, restarting: boolean) => void,
  ) {
    this.worker = new RestartingWorker<AudioDecoderApi>({
      entry: workerEntryUrl("audio/opus-decoder-worker.js", import.meta.url),
      name: "reactor-frames-opus",
      what: "audio decoder",
      logger,
      fallbackCode: "WORKER_CRASHED",
      init: (api) => api.init(settings),
      beforeExit: (api) => api.close(),
      onCrash,
    });
  }

  /** Set once decoding cannot continue. */
  get failed(): ReactorError | undefined {
    return this.worker.failed;
  }

  /** Thread id of the live worker. */
  get threadId(): number | undefined {
    return this.worker.threadId;
  }

  /** Starts the worker if needed; resolves once libopus is open. */
  start(): Promise<void> {
    return this.worker.start();
  }

  /** Decodes a batch in order; rejects with WORKER_CRASHED if the thread dies meanwhile. */
  decode(items: AudioWorkItem[]): Promise<AudioBatchResult> {
    const buffers = items.flatMap((i) => (i.kind === "packet" ? [i.data.buffer as ArrayBuffer] : []));
    return this.worker.call((host) => {
      const decode = host.method("decode");
      return host.call(() => decode(transferred(items, buffers)));
    });
  }

  /** Fault injection: the worker exits as if it crashed. */
  simulateCrash(): void {
    this.worker.simulateCrash();
  }

  /** Frees libopus and ends the worker (idempotent); resolves once the thread is gone. */
  close(): Promise<void> {
    return this.worker.close();
  }
}
