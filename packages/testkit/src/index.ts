/**
 * `@reactor-node/testkit`: a fake Reactor service (coordinator + werift GPU peers + a synthetic
 * VP8 echo model) for tests and local development.
 */

export {
  OPUS_FRAME_MS,
  OPUS_FRAME_SAMPLES,
  roundToneFrequency,
  TONE_AMPLITUDE,
  TONE_DEFAULT_HZ,
  TONE_LOOP_FRAMES,
  TONE_MAX_HZ,
  TONE_MIN_HZ,
  tonePcm,
} from "./audio/tone.js";
export { TONE_LOOP_CACHE_ENTRIES, toneLoop, toneWorkerAlive } from "./audio/tone-loops.js";
export { Authority, DEFAULT_TOKEN_LIFETIME_S, type TokenClaims } from "./coordinator/auth.js";
export type { CoordinatorContext } from "./coordinator/context.js";
export type { GpuInfo } from "./coordinator/gpu-pool.js";
export { MAX_JSON_BODY_BYTES } from "./coordinator/pipeline.js";
export { type CoordinatorOptions, type CoordinatorServer, startCoordinator } from "./coordinator/server.js";
export { type SessionInfo, TESTKIT_CLUSTER, TESTKIT_SERVER_VERSION } from "./coordinator/session.js";
export { UPLOAD_MAX_BYTES } from "./coordinator/uploads.js";
export {
  type MockEventMap,
  type MockEventName,
  MockEvents,
  type WaitForOptions,
} from "./events.js";
export { type FuzzFrame, fuzzFrames, prng } from "./faults/fuzz.js";
export {
  FAULT_HEADER,
  FAULT_MAX_PER_SOURCE,
  FAULT_NAMES,
  type FaultInput,
  type FaultName,
  type FaultSpec,
  FaultSpecSchema,
  parseFaultHeader,
  parseFaults,
  TOKEN_FAULT_HEADER,
} from "./faults/spec.js";
export { type GpuPeer, type GpuPeerOptions, startGpuPeer } from "./gpu/agent.js";
export {
  type CoordinatorMessage,
  CoordinatorMessageSchema,
  GPU_LINK_PATH,
  GPU_LINK_VERSION,
  type GpuMessage,
  GpuMessageSchema,
  type VideoSettings,
  VideoSettingsSchema,
} from "./gpu/link.js";
export { PUBLISHED_MAX_SIZES } from "./gpu/published-record.js";
export {
  CallHistory,
  type CommandRecord,
  type DataChannelRecord,
  type HistoryLimits,
  type HistoryList,
  type HttpCall,
  type LifecycleRecord,
  type UnhandledRecord,
} from "./history.js";
export { type Logger, silentLogger } from "./logger.js";
export { type MockLayer, type MockReactor, type MockReactorOptions, startMockReactor } from "./mock.js";
export { type ModelConfig, ModelConfigSchema } from "./model/config.js";
export { ECHO_CAPTION_MAX_CHARS, ECHO_EFFECTS, type EchoTrackOptions, echoSchema } from "./model/echo-schema.js";
export { listScenarios, loadScenario, SCENARIOS_DIR, type Scenario, ScenarioSchema } from "./scenarios.js";
export { DEFAULT_TIMINGS, type Timings } from "./timings.js";
export type { OnUnhandled } from "./unhandled.js";
export * from "./video/index.js";
