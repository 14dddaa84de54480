/** A session as the fake coordinator keeps it, and its wire forms (hosted and local). */
import {
  type CapabilitiesWire,
  LOCAL_SESSION_ID,
  type SessionResponseWire,
  SessionState,
  TRANSPORT_PROTOCOL,
  WEBRTC_VERSION,
} from "@reactor-node/protocol";
import { HttpStatusFault } from "../faults/http-status.js";
import type { FaultSpec } from "../faults/spec.js";
import type { ModelConfig } from "../model/config.js";
import { DEFAULT_RECORDING, type RecordingSettings } from "../recording/recorder.js";
import { type ConnectionRecord, ConnectionTable } from "./connection-table.js";

/** The coordinator's `server_info.server_version`. */
export const TESTKIT_SERVER_VERSION = "testkit-0.1.0";
/** The `cluster` hosted sessions report. */
export const TESTKIT_CLUSTER = "testkit-local";

export type { ConnectionRecord };

/** Public view of a session, for `mock.sessions()`. */
export interface SessionInfo {
  id: string;
  state: string;
  model: string;
  gpuId?: string;
  local: boolean;
  faults: FaultSpec[];
  connections: Array<{ id: number; legacy: boolean; status: ConnectionRecord["status"] }>;
  createdAt: number;
  endReason?: string;
}

/** A session. */
export class Session {
  state: string = SessionState.CREATED;
  gpuId: string | undefined;
  capabilities: CapabilitiesWire | undefined;
  /** Its connections (written by the ConnectionManager only). */
  readonly connections = new ConnectionTable();
  readonly httpFaults: HttpStatusFault[];
  readonly createdAt = Date.now();
  /** When the session may be handed a GPU (`Infinity` for `never-ready`). */
  eligibleAt = 0;
  waitingSince = 0;
  expiresAt: number | undefined;
  endReason: string | undefined;
  /** The `jti` of the session-scoped token that created it (only such a token may act on it). */
  tokenId: string | undefined;
  /** When the session became CLOSED (ms since the Unix epoch). */
  closedAt: number | undefined;
  /** The GPU that was asked and has not answered `assigned` yet. */
  assigning = false;

  constructor(
    readonly id: string,
    readonly model: ModelConfig,
    readonly faults: FaultSpec[],
    readonly local: boolean,
    /** Whether the GPU records this session's output (the body's `recording`). */
    readonly recording: RecordingSettings = DEFAULT_RECORDING,
  ) {
    this.httpFaults = faults.flatMap((f) => (f.name === "http-status" ? [new HttpStatusFault(f)] : []));
    if (model.maxSessionSeconds !== undefined) this.expiresAt = this.createdAt + model.maxSessionSeconds * 1000;
  }

  /** True once a GPU accepted and until the session ends or restarts. */
  get hasTransport(): boolean {
    return (
      this.capabilities !== undefined && (this.state === SessionState.ACTIVE || this.state === SessionState.INACTIVE)
    );
  }

  /** True while some client's peer is connected. */
  get live(): boolean {
    return this.connections.live;
  }

  /** The hosted session body (§3). */
  toWire(): SessionResponseWire {
    return {
      session_id: this.id,
      state: this.state,
      cluster: this.local ? "local" : TESTKIT_CLUSTER,
      model: { name: this.model.name, ...(this.model.version !== undefined && { version: this.model.version }) },
      server_info: { server_version: TESTKIT_SERVER_VERSION },
      ...(this.hasTransport && {
        selected_transport: { protocol: TRANSPORT_PROTOCOL, version: WEBRTC_VERSION },
        capabilities: this.capabilities,
      }),
      ...(this.expiresAt !== undefined && { expires_at: Math.floor(this.expiresAt / 1000) }),
      recording: { enabled: this.recording.enabled, chunk_seconds: this.recording.chunkSeconds },
    };
  }

  /** The runtime's lower-case state in local mode. */
  get localState(): string {
    if (this.state === SessionState.CLOSED) return "closing";
    return this.live ? "active" : "waiting";
  }

  /** The local-mode descriptor (§8; mirrors protocol's test/vectors/runtime/echo.start_session.json). */
  toLocalWire(): Record<string, unknown> {
    return {
      session_id: LOCAL_SESSION_ID,
      state: this.localState,
      cluster: "local",
      model: { name: this.model.name },
      server_info: { server_version: "0.1.0" },
      selected_transport: { protocol: TRANSPORT_PROTOCOL, version: WEBRTC_VERSION },
      recording: { enabled: this.recording.enabled, chunk_seconds: this.recording.chunkSeconds },
      capabilities: this.capabilities,
    };
  }

  /** `GET /sessions/{id}/info`. */
  toInfoWire(): { session_id: string; state: string; cluster: string } {
    return { session_id: this.id, state: this.state, cluster: this.local ? "local" : TESTKIT_CLUSTER };
  }

  /** Snapshot for tests. */
  info(): SessionInfo {
    return {
      id: this.id,
      state: this.state,
      model: this.model.name,
      ...(this.gpuId !== undefined && { gpuId: this.gpuId }),
      local: this.local,
      faults: [...this.faults],
      connections: this.connections.list().map((c) => ({ id: c.id, legacy: c.legacy, status: c.status })),
      createdAt: this.createdAt,
      ...(this.endReason !== undefined && { endReason: this.endReason }),
    };
  }
}
