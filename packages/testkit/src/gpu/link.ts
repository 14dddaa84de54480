/**
 * The coordinator ↔ GPU link: one WebSocket per GPU peer (`ws://coordinator/_testkit/gpu`),
 * JSON text frames, every message a zod-typed object with a `type`. GPU peers dial in, say
 * `hello`, and from then on the coordinator pushes sessions, offers, candidates and releases;
 * the GPU reports answers, connection states, data-channel traffic (for the call history) and
 * fetches uploaded bytes. Either side drops a frame that fails its schema (and logs it).
 */
import {
  CapabilitiesSchema,
  ClipReadySchema,
  describeIssues,
  reactorError,
  TrackMappingEntrySchema,
} from "@reactor-node/protocol";
import { z } from "zod";
import { HISTORY_MAX_TEXT_CHARS } from "../bounds.js";
import { FaultSpecSchema } from "../faults/spec.js";
import { ModelConfigSchema } from "../model/config.js";
import { PublishedRecordSchema } from "./published-record.js";

/** Path of the link's WebSocket endpoint on the coordinator. */
export const GPU_LINK_PATH = "/_testkit/gpu";
/** Version of the link's message set; a GPU speaking another is refused. */
export const GPU_LINK_VERSION = 1;

const sessionId = z.string().min(1);
const connectionId = z.number().int();
/** Which offer of a connection a message is about (a re-offer supersedes the older ones). */
const generation = z.number().int().nonnegative().optional();

/** Video settings a GPU streams with. */
export const VideoSettingsSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  fps: z.number().positive(),
});
export type VideoSettings = z.infer<typeof VideoSettingsSchema>;

/** Per-session GPU timings (subset of the mock's). */
const GpuTimingsSchema = z.object({
  idleTimeoutMs: z.number().int().nonnegative(),
  iceGatherTimeoutMs: z.number().int().nonnegative(),
});

/** Coordinator → GPU. */
export const CoordinatorMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("welcome"), gpuId: z.string(), version: z.literal(GPU_LINK_VERSION) }),
  z.object({
    type: z.literal("assign"),
    sessionId,
    model: ModelConfigSchema,
    faults: z.array(FaultSpecSchema),
    timings: GpuTimingsSchema,
    local: z.boolean(),
    /** Whether the model records its output (absent: off). */
    recording: z.object({ enabled: z.boolean(), chunkSeconds: z.number().positive() }).optional(),
  }),
  z.object({
    type: z.literal("offer"),
    sessionId,
    connectionId,
    generation,
    sdpOffer: z.string(),
    trackMapping: z.array(TrackMappingEntrySchema),
    legacy: z.boolean(),
  }),
  z.object({
    type: z.literal("candidates"),
    sessionId,
    connectionId,
    candidates: z.array(
      z.object({
        candidate: z.string(),
        sdpMid: z.string().nullable().optional(),
        sdpMLineIndex: z.number().int().nullable().optional(),
      }),
    ),
    isFinal: z.boolean(),
  }),
  z.object({ type: z.literal("closeConnection"), sessionId, connectionId, reason: z.string() }),
  /** End the session: send `sessionEnded` (when `notify`) and close every connection. */
  z.object({ type: z.literal("release"), sessionId, reason: z.string(), notify: z.boolean() }),
  z.object({
    type: z.literal("uploadData"),
    requestId: z.number().int(),
    ok: z.boolean(),
    name: z.string().optional(),
    mimeType: z.string().optional(),
    dataBase64: z.string().optional(),
    detail: z.string().optional(),
  }),
]);
export type CoordinatorMessage = z.infer<typeof CoordinatorMessageSchema>;

/** GPU → coordinator. */
export const GpuMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), version: z.number().int(), name: z.string().optional() }),
  z.object({
    type: z.literal("assigned"),
    sessionId,
    ok: z.boolean(),
    capabilities: CapabilitiesSchema.optional(),
    detail: z.string().optional(),
  }),
  z.object({
    type: z.literal("answer"),
    sessionId,
    connectionId,
    generation,
    ok: z.boolean(),
    sdpAnswer: z.string().optional(),
    detail: z.string().optional(),
  }),
  z.object({
    type: z.literal("connectionState"),
    sessionId,
    connectionId,
    generation,
    state: z.enum(["connecting", "connected", "disconnected", "failed", "closed"]),
  }),
  z.object({
    type: z.literal("dataChannel"),
    sessionId,
    connectionId,
    channel: z.string(),
    direction: z.enum(["in", "out"]),
    /** The frame's text (cut to its first 64 KiB, then `textLength` says how long it was). */
    text: z.string().nullable(),
    binaryBytes: z.number().int().optional(),
    /** A binary frame's bytes, when it is at most 64 KiB. */
    binaryBase64: z
      .string()
      .max(Math.ceil(HISTORY_MAX_TEXT_CHARS / 3) * 4)
      .optional(),
    textLength: z.number().int().optional(),
  }),
  z.object({
    type: z.literal("command"),
    sessionId,
    connectionId,
    commandType: z.string(),
    data: z.unknown(),
    uploads: z.record(z.string(), z.unknown()).optional(),
    ok: z.boolean(),
    code: z.string().optional(),
    reason: z.string().optional(),
  }),
  z.object({ type: z.literal("unhandled"), sessionId, connectionId, detail: z.string() }),
  z.object({
    type: z.literal("event"),
    sessionId,
    connectionId: connectionId.optional(),
    name: z.string(),
    detail: z.unknown().optional(),
  }),
  /** The GPU ended the session itself (fault, moderation, expiry). */
  z.object({ type: z.literal("sessionEnded"), sessionId, reason: z.string() }),
  /** The session's last connection is gone from the GPU (after `release`). */
  z.object({ type: z.literal("released"), sessionId }),
  z.object({ type: z.literal("uploadFetch"), requestId: z.number().int(), sessionId, uploadId: z.string() }),
  /** What the GPU received on a published input track so far (the same record, updated). */
  z.object({ type: z.literal("published"), sessionId, record: PublishedRecordSchema }),
  /** A clip was promised to a client (`clipReady`); its bytes follow once its chunk closes. */
  z.object({ type: z.literal("clipPending"), sessionId, key: z.string().max(64), clip: ClipReadySchema }),
  /** One fMP4 media segment of a promised clip. */
  z.object({
    type: z.literal("clipSegment"),
    sessionId,
    key: z.string().max(64),
    index: z.number().int().nonnegative(),
    durationS: z.number().nonnegative(),
    dataBase64: z.string(),
  }),
  /** The clip is complete: its init segment and how many media segments were sent. */
  z.object({
    type: z.literal("clipDone"),
    sessionId,
    key: z.string().max(64),
    initBase64: z.string(),
    segments: z.number().int().nonnegative(),
    frames: z.object({ first: z.number().int(), last: z.number().int(), count: z.number().int() }),
  }),
  z.object({ type: z.literal("clipFailed"), sessionId, key: z.string().max(64), reason: z.string() }),
]);
export type GpuMessage = z.infer<typeof GpuMessageSchema>;

/** Parses one frame of the link; throws a DECODE_ERROR ReactorError. */
export function parseLinkFrame<T>(schema: z.ZodType<T>, raw: unknown): T {
  let json: unknown;
  try {
    json = JSON.parse(String(raw));
  } catch (cause) {
    throw reactorError("DECODE_ERROR", "GPU link frame is not JSON", { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw reactorError("DECODE_ERROR", `GPU link frame rejected: ${describeIssues(parsed.error, { max: 1 })}`);
  }
  return parsed.data;
}
