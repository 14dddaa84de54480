/** Schemas of every v0 data-channel frame (docs/protocol.md §5). Wire shapes, snake_case. */
import { z } from "zod";
import { SESSION_ENDED_REASON_MAX_CHARS } from "../constants.js";
import { UploadReferenceSchema } from "../file-ref.js";

/** `scope` of a data-channel envelope. */
export const ScopeSchema = z.enum(["application", "runtime"]);
export type Scope = z.infer<typeof ScopeSchema>;

/** The inner `{type, data, uploads?}` of an envelope. */
export const InnerMessageSchema = z.object({
  type: z.string().min(1),
  data: z.unknown().optional(),
  uploads: z.record(z.string(), UploadReferenceSchema).optional(),
});

/** `{"scope": ..., "data": {"type": ..., "data": ..., "uploads"?: ...}}` in both directions. */
export const EnvelopeSchema = z.object({ scope: ScopeSchema, data: InnerMessageSchema });
export type EnvelopeWire = z.infer<typeof EnvelopeSchema>;

// Runtime messages, client → server
/** Runtime `ping` / `requestSchema` / `requestRecording` payload. */
export const EmptyPayloadSchema = z.object({});
/** Runtime `fileUploaded` payload. */
export const FileUploadedSchema = UploadReferenceSchema;
/** Runtime `requestClip` payload. */
export const RequestClipSchema = z.object({ duration_seconds: z.number().positive() });
export type RequestClipWire = z.infer<typeof RequestClipSchema>;

// Runtime messages, server → client
/** Runtime `clipReady` payload. */
export const ClipReadySchema = z.object({
  session_id: z.string(),
  kind: z.enum(["snap", "recording"]),
  start_marker: z.unknown(),
  end_marker: z.unknown(),
  now_marker: z.unknown(),
  predicted_ready_at_ms: z.number(),
  playlist_url: z.string(),
});
export type ClipReadyWire = z.infer<typeof ClipReadySchema>;
/** Runtime `clipFailed` payload. */
export const ClipFailedSchema = z.object({ reason: z.string() });
export type ClipFailedWire = z.infer<typeof ClipFailedSchema>;
/** Runtime `moderation` payload. */
export const ModerationSchema = z.object({
  action: z.enum(["warn", "terminate"]),
  input_kind: z.string(),
  command: z.string().nullable().optional(),
  categories: z.array(z.string()),
  message: z.string(),
});
export type ModerationWire = z.infer<typeof ModerationSchema>;
/** Runtime `sessionEnded` payload; the reason is at most 64 characters. */
export const SessionEndedSchema = z.object({ reason: z.string().max(SESSION_ENDED_REASON_MAX_CHARS) });
export type SessionEndedWire = z.infer<typeof SessionEndedSchema>;
/** Runtime `modelSchema` payload (see model-schema.ts for its shape). */

/** Known runtime message types and the schema of their payload, both directions. */
export const RUNTIME_PAYLOAD_SCHEMAS = {
  ping: EmptyPayloadSchema,
  requestSchema: EmptyPayloadSchema,
  requestRecording: EmptyPayloadSchema,
  fileUploaded: FileUploadedSchema,
  requestClip: RequestClipSchema,
  clipReady: ClipReadySchema,
  clipFailed: ClipFailedSchema,
  moderation: ModerationSchema,
  sessionEnded: SessionEndedSchema,
} as const;

// Control channel
/** `{"type":"request","method":...,"request_id":"ctrl_<n>","data":{...}}` client → server. */
export const ControlRequestSchema = z.object({
  type: z.literal("request"),
  method: z.string().min(1),
  request_id: z.string().min(1),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type ControlRequestWire = z.infer<typeof ControlRequestSchema>;

/** Error in a control response. */
export const ControlErrorSchema = z.object({ code: z.string(), message: z.string() });

/** `{"type":"response","method":...,"request_id":...,"data":{}}` or with `error`, server → client. */
export const ControlResponseSchema = z.object({
  type: z.literal("response"),
  method: z.string().min(1),
  request_id: z.string().min(1),
  data: z.unknown().optional(),
  error: ControlErrorSchema.optional(),
});
export type ControlResponseWire = z.infer<typeof ControlResponseSchema>;

/** Control notification events. */
export const ControlEventSchema = z.enum(["pause_track", "resume_track", "unpublish_track"]);
export type ControlEvent = z.infer<typeof ControlEventSchema>;

/** `{"type":"notification","event":...,"data":{"name":...}}` client → server. */
export const ControlNotificationSchema = z.object({
  type: z.literal("notification"),
  event: z.string().min(1),
  data: z.object({ name: z.string().min(1) }),
});
export type ControlNotificationWire = z.infer<typeof ControlNotificationSchema>;

/** Any control-channel frame. */
export const ControlMessageSchema = z.discriminatedUnion("type", [
  ControlRequestSchema,
  ControlResponseSchema,
  ControlNotificationSchema,
]);
export type ControlMessageWire = z.infer<typeof ControlMessageSchema>;

/** Control `publish_track` request method name. */
export const PUBLISH_TRACK_METHOD = "publish_track";
/** Error code a GPU peer uses to refuse a publish. */
export const PUBLISH_REFUSED_CODE = "publish_refused";
/** Prefix of control request ids (`ctrl_<n>`). */
export const CONTROL_REQUEST_ID_PREFIX = "ctrl_";
/** Prefix of v1 command request ids (`data_<n>`). */
export const DATA_REQUEST_ID_PREFIX = "data_";
