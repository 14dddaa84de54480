/**
 * The fake GPU's video source: a synthetic, machine-checkable VP8 test pattern, pre-encoded in
 * shared loops and encoded live when the model state changes.
 */
export { type I420Layout, i420Layout, i420ToRgb, rgbToI420 } from "./color.js";
export {
  acquireVideoEncoder,
  clearLoopMemoryCache,
  LOOP_MEMORY_CACHE_ENTRIES,
  sharedVideoEncoderStats,
  type VideoEncoderOptions,
  VideoEncoderService,
  type VideoEncoderStats,
  type VideoLogger,
} from "./encoder-service.js";
export { FrameNumberUnwrapper, LOOP_FRAMES, unwrapFrameNumber } from "./frame-number.js";
export * from "./layout.js";
export { DEFAULT_CACHE_DIR, LOOP_FORMAT_VERSION } from "./loop-cache.js";
export { decodePng, OVERLAY_MAX_PIXELS, overlayFromBytes } from "./overlay.js";
export {
  assertPatternSize,
  DEFAULT_PATTERN_STATE,
  maxPatchError,
  type OverlayPicture,
  type PatchReading,
  type PatternReading,
  type PatternState,
  readPattern,
  renderPatternI420,
  renderPatternRgb,
  type StateReading,
  stateWord,
} from "./pattern.js";
export {
  createVideoSource,
  DEFAULT_VIDEO_FPS,
  DEFAULT_VIDEO_HEIGHT,
  DEFAULT_VIDEO_WIDTH,
  type VideoFrame,
  type VideoSource,
  type VideoSourceOptions,
  type VideoSourceStats,
  type VideoState,
} from "./source.js";
export { defaultBitrate } from "./vp8-encoder.js";
