import type { ReactorError } from "@reactor-node/protocol";
import { workerEntryUrl } from "../decoder/worker-url.js";
import type { Logger } from "../logger.js";
import { WorkerHost } from "../worker/comlink-host.js";
import type { EncoderWorkerApi } from "./worker-api.js";

/** Starts one encoder worker thread (the package's comlink worker pattern, see worker/comlink-host.ts). */
export function encoderThread(logger: Logger, onCrash: (error: ReactorError) => void): WorkerHost<EncoderWorkerApi> {
  return new WorkerHost<EncoderWorkerApi>({
    entry: workerEntryUrl("encoder/encoder-worker.js", import.meta.url),
    name: "reactor-frames-encoder",
    logger,
    fallbackCode: "FRAME_ENCODE_ERROR",
    onCrash,
  });
}
