import type { ReactorError } from "@reactor-node/protocol";
import type { FrameFormat } from "../frame.js";
import type { Logger } from "../logger.js";
import { transferred } from "../worker/comlink-host.js";
import { unpackReply } from "../worker/decode-reply.js";
import type { DecodeBatch, DecodeResult, DecoderApi, DecoderWorkerStats } from "../worker/decoder-api.js";
import { RestartingWorker } from "../worker/restarting-worker.js";
import type { DecoderBackend } from "./backend.js";
import { workerEntryUrl } from "./worker-url.js";

export { MAX_CONSECUTIVE_WORKER_CRASHES } from "../worker/restarting-worker.js";

/** Options for {@link WorkerDecoder}. */
export interface WorkerDecoderOptions {
  /** What the worker delivers: `i420` (converted elsewhere) or an RGB format it converts itself. */
  output: FrameFormat;
  backend: DecoderBackend;
  logger: Logger;
  /** A worker died unexpectedly; `restarting` is false when the decoder gave up. */
  onCrash: (error: ReactorError, restarting: boolean) => void;
}

/**
 * The main-thread handle of one stream's decoder worker (a comlink `Decoder`, see
 * worker/decoder-api.ts, restarted after a crash by RestartingWorker): forwards decode batches
 * (encoded frames transferred, pictures back in slots of the worker's shared memory). An error the
 * worker reports keeps its code; a crash rejects the in-flight call with WORKER_CRASHED.
 */
export class WorkerDecoder {
  private readonly worker: RestartingWorker<DecoderApi>;

  constructor(options: WorkerDecoderOptions) {
    const settings = { backend: options.backend, output: options.output };
    this.worker = new RestartingWorker<DecoderApi>({
      entry: workerEntryUrl("worker/decoder-worker.js", import.meta.url),
      name: "reactor-frames-decoder",
      what: "decoder",
      logger: options.logger,
      fallbackCode: "FRAME_DECODE_ERROR",
      init: (api) => api.init(settings),
      beforeExit: (api) => api.close(),
      onCrash: options.onCrash,
    });
  }

  /** Thread id of the live worker (changes after a restart). */
  get threadId(): number | undefined {
    return this.worker.threadId;
  }

  /** Set when the decoder cannot work any more (failed to start, or crashed too often). */
  get failed(): ReactorError | undefined {
    return this.worker.failed;
  }

  /** Starts the worker if needed and resolves once the decoder inside is initialised. */
  start(): Promise<void> {
    return this.worker.start();
  }

  /** Decodes a batch. Rejects with WORKER_CRASHED if the thread dies meanwhile. */
  decode(batch: DecodeBatch): Promise<DecodeResult> {
    const transfers: ArrayBuffer[] = batch.recycled.slice();
    for (const frame of batch.frames) transfers.push(frame.data.buffer as ArrayBuffer);
    return this.worker.call(async (host) => {
      const decode = host.method("decode");
      return unpackReply(await host.call(() => decode(transferred(batch, transfers))));
    });
  }

  /** The worker's own counters. */
  workerStats(): Promise<DecoderWorkerStats> {
    return this.worker.call((host) => host.call((api) => api.stats()));
  }

  /** Fault injection: makes the worker exit as if it crashed. */
  simulateCrash(): void {
    this.worker.simulateCrash();
  }

  /** Frees the decoder and ends the worker. Idempotent. */
  close(): Promise<void> {
    return this.worker.close();
  }
}
