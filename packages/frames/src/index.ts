/**
 * @reactor-node/frames: decode received Reactor video (VP8 over RTP) to RGB frames off the main
 * thread, with declared backpressure and a worker pool for per-frame processing.
 */

export type { AudioFrame } from "@reactor-node/protocol";
export { rmsLevel, toneFrequency } from "./audio/analysis.js";
export {
  AUDIO_SAMPLE_RATE_MAX,
  AUDIO_SAMPLE_RATE_MIN,
  type AudioFrameStreamOptions,
  type AudioReceiver,
  type AudioReceiverOptions,
  type AudioReceiverStats,
  createAudioReceiver,
  DEFAULT_AUDIO_JITTER_MS,
  DEFAULT_AUDIO_QUEUE_FRAMES,
  DEFAULT_AUDIO_SAMPLE_RATE,
  MAX_CONCEALED_GAP_MS,
} from "./audio/audio-receiver.js";
export { CONCEAL_FADE_END_MS, Concealer } from "./audio/concealment.js";
export { opusPacketSamples } from "./audio/opus-packet.js";
export { RESAMPLER_HALF_TAPS, Resampler } from "./audio/resampler.js";
export {
  type BackpressurePolicy,
  DEFAULT_QUEUE_SIZE,
  type DropReason,
  PolicyQueue,
  type PolicyQueueOptions,
} from "./backpressure/policy-queue.js";
export { PolicyStream, type PolicyStreamOptions } from "./backpressure/policy-stream.js";
export { decodeFrameMetadata, type FrameMetadata, stripFrameMetadata } from "./codec/frame-metadata.js";
export { isVp8Keyframe, vp8KeyframeSize } from "./codec/vp8.js";
export { MAX_CONVERSIONS_IN_FLIGHT } from "./convert/conversion-stage.js";
export {
  acquireSharedFramePool,
  createFramePool,
  type FramePool,
  type FramePoolOptions,
  POOL_IDLE_TIMEOUT_MS,
  type PoolTaskOptions,
  SHARED_POOL_MAX_QUEUE,
  SHARED_POOL_MAX_THREADS,
} from "./convert/frame-pool.js";
export {
  DECODER_ENV_VAR,
  type DecoderBackend,
  type DecoderBackendChoice,
  isNativeDecoderInstalled,
  NATIVE_DECODER_PACKAGE,
  resolveDecoderBackend,
} from "./decoder/backend.js";
export {
  AUDIO_MAX_CHANNELS,
  AUDIO_MAX_SAMPLE_RATE_HZ,
  AUDIO_MIN_SAMPLE_RATE_HZ,
  AUDIO_QUEUE_MAX_MS,
  AudioEncoder,
  type AudioEncoderOptions,
  type AudioEncoderStats,
  type AudioInput,
  createAudioEncoder,
  type EncodedAudioPacket,
  validateAudioInput,
} from "./encoder/audio-encoder.js";
export { ENCODER_ENV_VAR, resolveEncoderBackend } from "./encoder/backend.js";
export { DEFAULT_OPUS_BITRATE } from "./encoder/opus-engine.js";
export { OPUS_FRAME_SAMPLES, OPUS_SAMPLE_RATE_HZ, OpusFramer } from "./encoder/resampler.js";
export { i420ByteLength, rgbToI420 } from "./encoder/rgb-to-i420.js";
export {
  createI420Converter,
  createRgbToI420,
  type I420Converter,
  type RgbToI420,
} from "./encoder/rgb-to-i420-simd.js";
export {
  BLOCK_QUEUE_MAX,
  createVideoEncoder,
  DEFAULT_PUBLISH_FPS,
  ENCODER_BUFFER_POOL_MAX,
  ENCODER_PIPELINE_DEPTH,
  type EncodeDropReason,
  type EncodedPicture,
  type PublishBackpressure,
  type PushOptions,
  VideoEncoder,
  type VideoEncoderOptions,
  type VideoEncoderStats,
} from "./encoder/video-encoder.js";
export { defaultVideoBitrate } from "./encoder/video-engine.js";
export { MAX_VIDEO_DIMENSION, type VideoInput, validateVideoInput } from "./encoder/video-input.js";
export { packetizeVp8 } from "./encoder/vp8-packetizer.js";
export type { EncoderBackend } from "./encoder/worker-api.js";
export { FRAME_FORMATS, type FrameFormat, frameByteLength, type RgbFrame, type VideoFrame } from "./frame.js";
export { chromaSize, type I420Planes, packI420 } from "./kernel/i420.js";
export { BT601_LIMITED, i420ToRgb, i420ToRgba } from "./kernel/i420-to-rgb.js";
export { createSimdI420ToRgb, type SimdI420ToRgb } from "./kernel/i420-to-rgb-simd.js";
export { type Logger, SILENT_LOGGER } from "./logger.js";
export {
  type FrameProcessor,
  type FrameProcessorOptions,
  type FrameProcessorStats,
  PROCESSOR_OUTPUT_BUFFER,
  type ProcessedFrame,
  type ProcessedFrameInfo,
  processFrames,
} from "./process/pool.js";
export { KEYFRAME_REQUEST_MIN_INTERVAL_MS, KeyframeGate, type KeyframeReason } from "./receiver/keyframe-gate.js";
export {
  type ConversionPlace,
  DEFAULT_MAX_FRAME_PIXELS,
  type FrameStreamOptions,
  type VideoReceiverOptions,
} from "./receiver/options.js";
export { createVideoReceiver, MAX_DECODE_BATCH_FRAMES } from "./receiver/receiver.js";
export type { VideoReceiverStats } from "./receiver/stats.js";
export type { VideoReceiver } from "./receiver/video-receiver.js";
export { DEFAULT_JITTER_LATENCY_MS } from "./rtp/assembler.js";
export type { EncodedVideoFrame } from "./rtp/encoded-frame.js";
export { RtpClock } from "./rtp/rtp-clock.js";
export { encodePng } from "./snapshot/png.js";
export { MAX_FRAME_SLOTS } from "./worker/frame-slots.js";
