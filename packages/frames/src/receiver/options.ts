import { reactorError } from "@reactor-node/protocol";
import { type BackpressurePolicy, DEFAULT_QUEUE_SIZE, validatePolicy } from "../backpressure/policy-queue.js";
import type { FramePool } from "../convert/frame-pool.js";
import {
  DECODER_ENV_VAR,
  type DecoderBackend,
  isNativeDecoderInstalled,
  resolveDecoderBackend,
} from "../decoder/backend.js";
import { FRAME_FORMATS, type FrameFormat } from "../frame.js";
import { type Logger, SILENT_LOGGER } from "../logger.js";

/**
 * Default cap on a keyframe's coded size, in pixels (4096 × 4096). A VP8 header may claim up to
 * 16383 × 16383: decoding that costs libvpx about 1.5 s and 1.6 GiB of memory per frame, so a
 * forged 10-byte header would be a denial of service.
 */
export const DEFAULT_MAX_FRAME_PIXELS = 4096 * 4096;

/** Where RGB conversion runs: the decoder worker (default), the process's shared piscina pool, or a pool of yours. */
export type ConversionPlace = "pool" | "worker" | FramePool;

/** Options of {@link createVideoReceiver}. */
export interface VideoReceiverOptions {
  /** Backpressure for `onFrame` callbacks and the default for `frames()`. Default `latest`. */
  policy?: BackpressurePolicy;
  /** Bound for `queue`/`block`. Default {@link DEFAULT_QUEUE_SIZE}. */
  queueSize?: number;
  /** Pixel format of delivered frames. Default `rgb24`. `i420` is never converted. */
  format?: FrameFormat;
  /** Decoder backend; default from `REACTOR_FRAMES_DECODER`, else `wasm`. */
  decoder?: "wasm" | "native" | "auto";
  /**
   * Where I420 → RGB conversion runs: `worker` (default), inside this stream's decoder worker,
   * straight into the shared memory the frame is delivered in; `pool`, on the piscina pool shared
   * by every receiver of the process (and by `processFrames` with `pool: "shared"`); or a
   * {@link FramePool} of yours. The pool's extra hop per frame (a task, a second reply, the I420
   * picture read on another core) measured more CPU, main-thread time and latency than it saved,
   * for one 720p stream and for four 360p streams alike (see the package README).
   */
  conversion?: ConversionPlace;
  /** Aborting closes the receiver. */
  signal?: AbortSignal;
  logger?: Logger;
  /** RTP payload type of the VP8 stream; other payload types are ignored. Default: accept all. */
  payloadType?: number;
  /** How long the reorder buffer waits for a missing packet (RTP time), ms. */
  jitterLatencyMs?: number;
  /**
   * Set when the session negotiated `a=x-reactor-frame-metadata:1`: every encoded frame ends with a
   * metadata trailer, which is stripped before decoding and surfaced as `VideoFrame.metadata`.
   */
  frameMetadata?: boolean;
  /**
   * Keyframes whose header claims more pixels than this are not decoded: FRAME_DECODE_ERROR, the
   * frame is dropped (`dropped.decodeError`) and a keyframe is requested. Default
   * {@link DEFAULT_MAX_FRAME_PIXELS}.
   */
  maxFramePixels?: number;
}

/** Options of {@link VideoReceiver.frames}. */
export interface FrameStreamOptions {
  policy?: BackpressurePolicy;
  queueSize?: number;
  /** Aborting ends this iterator (cleanly). */
  signal?: AbortSignal;
}

/** {@link VideoReceiverOptions} checked, with the defaults filled in. */
export interface ReceiverSettings {
  policy: BackpressurePolicy;
  queueSize: number;
  format: FrameFormat;
  backend: DecoderBackend;
  conversion: ConversionPlace;
  logger: Logger;
  maxFramePixels: number;
}

/** Validates the options (INVALID_ARGUMENT, including an unavailable `native` decoder). */
export function receiverSettings(options: VideoReceiverOptions): ReceiverSettings {
  const policy = options.policy ?? "latest";
  const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
  validatePolicy(policy, queueSize);
  const maxFramePixels = options.maxFramePixels ?? DEFAULT_MAX_FRAME_PIXELS;
  if (!Number.isSafeInteger(maxFramePixels) || maxFramePixels < 1) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `maxFramePixels must be a positive integer, got ${String(options.maxFramePixels)}`,
    );
  }
  const format = options.format ?? "rgb24";
  if (!FRAME_FORMATS.includes(format)) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `Unknown frame format "${String(format)}"; expected ${FRAME_FORMATS.join(", ")}`,
    );
  }
  const conversion = options.conversion ?? "worker";
  if (conversion !== "pool" && conversion !== "worker" && typeof conversion?.run !== "function") {
    throw reactorError(
      "INVALID_ARGUMENT",
      `conversion must be "pool", "worker" or a FramePool, got ${String(conversion)}`,
    );
  }
  const backend = resolveDecoderBackend({
    requested: options.decoder,
    env: process.env[DECODER_ENV_VAR],
    nativeInstalled: isNativeDecoderInstalled(),
  });
  return { policy, queueSize, format, backend, conversion, logger: options.logger ?? SILENT_LOGGER, maxFramePixels };
}
