/**
 * `@reactor-node/client`: the Reactor SDK for Node.js. Runs a Reactor session on the main
 * thread with werift and speaks the Reactor wire protocol (docs/protocol.md) to the hosted service
 * or a local runtime. Every name of the seed SDK exists here in TypeScript form.
 */

export type { AudioInput, PublishBackpressure, VideoInput } from "@reactor-node/frames";
export {
  type AudioFrame,
  type Capabilities,
  type Clip,
  ConflictError,
  defaultReconnectPolicy,
  ERROR_CODES,
  type ErrorComponent,
  FileRef,
  type FrameCallback,
  isReactorError,
  ModelError,
  type ModelSchemaDocument,
  NEVER_RECONNECT,
  REACTOR_EVENTS,
  REQUEST_TIMEOUT_MS,
  ReactorError,
  type ReactorErrorCode,
  type ReactorEvent,
  type ReactorMessage,
  type ReactorState,
  ReactorStatus,
  type ReconnectContext,
  type ReconnectPolicy,
  type RgbFrame,
  type TokenScope,
  type TrackInfo,
  timeMicros,
  VersionMismatchError,
  type VideoFrame,
  type WireName,
} from "@reactor-node/protocol";
export type {
  ConnectOptions,
  DisconnectOptions,
  MessageScope,
  SendCommandOptions,
} from "./api/call-options.js";
export { CONNECT_SCHEMA_WAIT_MS, SCHEMA_REQUEST_TIMEOUT_MS } from "./api/schema.js";
export type { SessionInfo } from "./api/session-view.js";
export { type FetchJwtTokenOptions, fetchJwtToken, type JwtInput } from "./auth/jwt-source.js";
export type { ClipTarget } from "./clips/clip-sink.js";
export type { ClipDownloadProgress, DownloadClipOptions, DownloadedClip } from "./clips/download.js";
export { type ClipPlaylist, PLAYLIST_MAX_BYTES, PLAYLIST_MAX_SEGMENTS, parseClipPlaylist } from "./clips/playlist.js";
export { LISTENER_ERROR } from "./errors.js";
export { CLIENT_EVENTS, type Listener, type ReactorEventMap } from "./events.js";
export { type Logger, SILENT_LOGGER } from "./logger.js";
export {
  CONNECT_TIMEOUT_MS,
  DEFAULT_WIRE,
  MODEL_NAME_MAX_LENGTH,
  type ReactorOptions,
  TRANSPORT_READY_TIMEOUT_MS,
} from "./options.js";
export {
  Publisher,
  type PublisherDrops,
  type PublisherState,
  type PublisherStats,
  type PublishOptions,
  type PushFrameOptions,
} from "./publish/publisher.js";
export type { PublishTrackOptions } from "./publish/publishing.js";
export { Reactor } from "./reactor.js";
export { LEGACY_MESSAGE_TYPE } from "./session/inbound.js";
export type { ConnectionTimings } from "./stats/timings.js";
export {
  type CandidatePairStats,
  type CandidateStats,
  type ReactorStats,
  STATS_MIN_INTERVAL_MS,
  STATS_SAMPLE_INTERVAL_MS,
  type TrackStatsSample,
} from "./stats/types.js";
export type { AudioOutputOptions, FrameIteratorOptions, FramePolicy, FrameSourceStats } from "./tracks/frame-source.js";
export { type MediaFrame, Track, type TrackBinding, type TrackHost, type TrackStats } from "./tracks/track.js";
export type { UploadOptions } from "./uploads/upload.js";
export type { UploadInput, UploadProgress } from "./uploads/upload-source.js";
