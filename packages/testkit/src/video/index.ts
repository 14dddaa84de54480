/**
 * The fake GPU's video source: a synthetic, machine-checkable VP8 test pattern, pre-encoded in
 * shared loops and encoded live when the model state changes.
 */
/** @deprecated Renamed {@link referenceI420ToRgb} (the SDK's `i420ToRgb` is frames' kernel). */
/** @deprecated Renamed {@link referenceRgbToI420} (the SDK's `rgbToI420` is frames' kernel). */
export {
  type I420Layout,
  i420Layout,
  referenceI420ToRgb,
  referenceI420ToRgb as i420ToRgb,
  referenceRgbToI420,
  referenceRgbToI420 as rgbToI420,
} from "./color.js";
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
  type SourceFrame,
  /** @deprecated Renamed {@link SourceFrame} (the SDK's `VideoFrame` is a decoded picture). */
  type SourceFrame as VideoFrame,
  type VideoSource,
  type VideoSourceOptions,
  type VideoSourceStats,
  type VideoState,
} from "./source.js";
export { defaultBitrate } from "./vp8-encoder.js";
