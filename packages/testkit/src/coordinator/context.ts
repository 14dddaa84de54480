/** What every route handler may use: the coordinator's parts, wired once by the server. */
import type { FaultSpec } from "../faults/spec.js";
import type { CallHistory, UnhandledRecord } from "../history.js";
import type { Logger } from "../logger.js";
import type { ModelConfig } from "../model/config.js";
import type { Authority } from "./auth.js";
import type { ClipStore } from "./clips.js";
import type { ConnectionManager } from "./connections.js";
import type { GpuPool } from "./gpu-pool.js";
import type { SessionManager } from "./sessions.js";
import type { UploadStore } from "./uploads.js";

/**
 * The coordinator's parts (named apart from the SDK's own `Coordinator` HTTP client): the
 * mock's and the route handlers' wiring, not a stable API.
 * @internal
 */
export interface CoordinatorContext {
  /** Base URL of presigned upload URLs (the listening address or `publicUrl`, never a request's `Host`). */
  publicUrl: string;
  authority: Authority;
  sessions: SessionManager;
  connections: ConnectionManager;
  uploads: UploadStore;
  /** Finished and promised clips (docs/protocol.md §10). */
  clips: ClipStore;
  pool: GpuPool;
  history: CallHistory;
  logger: Logger;
  /** Models by name; the first is the default (local mode). */
  models: Map<string, ModelConfig>;
  /** Faults applied to every session of this mock. */
  faults: () => FaultSpec[];
  /** Hands something unhandled to the mock's `onUnhandled` strategy. */
  reportUnhandled(record: UnhandledRecord): void;
}
