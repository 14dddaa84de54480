import { z } from "zod";
import { SDK_TYPE, SDK_VERSION, TRANSPORT_PROTOCOL, WEBRTC_VERSION } from "../constants.js";
import { RecordingInfoSchema } from "../media/clip.js";

/** `client_info` sent with session and signalling requests. */
export const ClientInfoSchema = z.object({ sdk_version: z.string(), sdk_type: z.string() });
export type ClientInfoWire = z.infer<typeof ClientInfoSchema>;
/** This SDK's `client_info`. */
export const CLIENT_INFO: ClientInfoWire = Object.freeze({ sdk_version: SDK_VERSION, sdk_type: SDK_TYPE });

/** A transport `{protocol, version}`. */
export const TransportSchema = z.object({ protocol: z.string(), version: z.string() });
export type TransportWire = z.infer<typeof TransportSchema>;
/** What this SDK declares in `supported_transports`. */
export const SUPPORTED_TRANSPORTS: readonly TransportWire[] = Object.freeze([
  Object.freeze({ protocol: TRANSPORT_PROTOCOL, version: WEBRTC_VERSION }),
]);

/** Session states (§3). Unknown strings are tolerated everywhere. */
export const SessionState = {
  CREATED: "CREATED",
  PENDING: "PENDING",
  SUSPENDED: "SUSPENDED",
  WAITING: "WAITING",
  ACTIVE: "ACTIVE",
  INACTIVE: "INACTIVE",
  CLOSED: "CLOSED",
} as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

/** Upper-cases a state (local mode sends lower-case states). */
export function normalizeSessionState(state: string): string {
  return state.toUpperCase();
}

/** INACTIVE/CLOSED seen while waiting for a GPU end the wait with an error. */
export function isTerminalWhileWaiting(state: string): boolean {
  const s = normalizeSessionState(state);
  return s === SessionState.INACTIVE || s === SessionState.CLOSED;
}

/** Track kinds: only video and audio exist. */
export const TrackKindSchema = z.enum(["video", "audio"]);
export type TrackKind = z.infer<typeof TrackKindSchema>;
/** Direction from the client's perspective: `recvonly` = model output, `sendonly` = client input. */
export const TrackDirectionSchema = z.enum(["recvonly", "sendonly"]);
export type TrackDirection = z.infer<typeof TrackDirectionSchema>;

/** One capability track. */
export const TrackSchema = z.object({
  name: z.string().min(1),
  kind: TrackKindSchema,
  direction: TrackDirectionSchema,
});
export type TrackInfo = z.infer<typeof TrackSchema>;

/** One capability command (its `schema` is the command's JSON schema, opaque here). */
export const CommandInfoSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  schema: z.unknown().optional(),
});
export type CommandInfoWire = z.infer<typeof CommandInfoSchema>;

/** `capabilities` in the session response. */
export const CapabilitiesSchema = z.object({
  protocol_version: z.string(),
  tracks: z.array(TrackSchema),
  commands: z.array(CommandInfoSchema).optional(),
  emission_fps: z.number().positive().nullable().optional(),
});
export type CapabilitiesWire = z.infer<typeof CapabilitiesSchema>;

/** Capabilities, camelCase. */
export interface Capabilities {
  protocolVersion: string;
  tracks: TrackInfo[];
  commands: Array<{ name: string; description?: string; schema?: unknown }>;
  /** Frames per second the model emits, when it declares it. */
  emissionFps: number | null;
}

/** `POST /sessions` body (§3 #1). */
export const CreateSessionRequestSchema = z.object({
  model: z.object({ name: z.string().min(1) }),
  client_info: ClientInfoSchema,
  supported_transports: z.array(TransportSchema).min(1),
  extra_args: z.record(z.string(), z.unknown()).optional(),
});
export type CreateSessionRequestWire = z.infer<typeof CreateSessionRequestSchema>;

/** Builds the `POST /sessions` body. */
export function createSessionRequest(modelName: string, extraArgs?: Record<string, unknown>): CreateSessionRequestWire {
  return {
    model: { name: modelName },
    client_info: { ...CLIENT_INFO },
    supported_transports: SUPPORTED_TRANSPORTS.map((t) => ({ ...t })),
    ...(extraArgs !== undefined && { extra_args: extraArgs }),
  };
}

/**
 * Session response (§3 #1, #2; local §8). `session_id`, `state`, `cluster`, `model.name` and
 * `server_info.server_version` are required, as the official JS client requires them.
 */
export const SessionResponseSchema = z.object({
  session_id: z.string().min(1),
  state: z.string(),
  cluster: z.string(),
  model: z.object({ name: z.string(), version: z.string().optional() }),
  server_info: z.object({ server_version: z.string() }),
  selected_transport: TransportSchema.optional(),
  capabilities: CapabilitiesSchema.optional(),
  /** Unix epoch seconds; a testkit extension for sessions with a maximum duration. */
  expires_at: z.number().optional(),
  /** Whether the session records its output (local mode; the testkit sends it in both modes). */
  recording: RecordingInfoSchema.optional().catch(undefined),
});
export type SessionResponseWire = z.infer<typeof SessionResponseSchema>;

/** A session, camelCase. */
export interface SessionDescriptor {
  sessionId: string;
  /** Upper-cased state; may be a state this SDK does not know. */
  state: SessionState | (string & {});
  cluster: string;
  model: { name: string; version?: string };
  serverInfo: { serverVersion: string };
  selectedTransport?: TransportWire;
  capabilities?: Capabilities;
  /** Maximum-duration expiry, ms since the Unix epoch. */
  expiresAtMs?: number;
  /** Whether the session records its output (clips need it), when the server says. */
  recording?: { enabled: boolean; chunkSeconds: number };
}

/** wire → API */
export function capabilitiesFromWire(wire: CapabilitiesWire): Capabilities {
  return {
    protocolVersion: wire.protocol_version,
    tracks: wire.tracks.map((t) => ({ ...t })),
    commands: (wire.commands ?? []).map((c) => ({ ...c })),
    emissionFps: wire.emission_fps ?? null,
  };
}

/** wire → API */
export function sessionFromWire(wire: SessionResponseWire): SessionDescriptor {
  return {
    sessionId: wire.session_id,
    state: normalizeSessionState(wire.state),
    cluster: wire.cluster,
    model: { ...wire.model },
    serverInfo: { serverVersion: wire.server_info.server_version },
    ...(wire.selected_transport && { selectedTransport: { ...wire.selected_transport } }),
    ...(wire.capabilities && { capabilities: capabilitiesFromWire(wire.capabilities) }),
    ...(wire.expires_at !== undefined && { expiresAtMs: wire.expires_at * 1000 }),
    ...(wire.recording && {
      recording: { enabled: wire.recording.enabled, chunkSeconds: wire.recording.chunk_seconds },
    }),
  };
}

/** API → wire (used by the testkit to answer). */
export function capabilitiesToWire(caps: Capabilities): CapabilitiesWire {
  return {
    protocol_version: caps.protocolVersion,
    tracks: caps.tracks.map((t) => ({ ...t })),
    commands: caps.commands.map((c) => ({ ...c })),
    emission_fps: caps.emissionFps,
  };
}

/** Ready to connect = both `capabilities` and `selected_transport` present (§3). */
export function isSessionReady(session: SessionDescriptor): boolean {
  return session.capabilities !== undefined && session.selectedTransport !== undefined;
}

/** `GET /sessions/{id}/info` body (§3 #3). */
export const SessionInfoSchema = z.object({ session_id: z.string().min(1), state: z.string(), cluster: z.string() });
export type SessionInfoWire = z.infer<typeof SessionInfoSchema>;

/** `DELETE /sessions/{id}` optional body; `POST /stop_session` body in local mode. */
export const EndSessionRequestSchema = z.object({ reason: z.string().optional() });
export type EndSessionRequestWire = z.infer<typeof EndSessionRequestSchema>;

/** JSON error body, as the runtime sends it (`{"detail": "..."}`). */
export const ErrorBodySchema = z.object({ detail: z.unknown(), code: z.string().optional() });
export type ErrorBodyWire = z.infer<typeof ErrorBodySchema>;

/** Best-effort readable text from an error body (FastAPI `detail` string or list, or `message`). */
export function errorBodyText(body: unknown): string | undefined {
  if (typeof body === "string") return body.slice(0, 500) || undefined;
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const detail = record.detail ?? record.message ?? record.error;
  if (typeof detail === "string") return detail.slice(0, 500);
  if (detail !== undefined) return JSON.stringify(detail).slice(0, 500);
  return undefined;
}
