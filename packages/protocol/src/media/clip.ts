/**
 * Clips and recordings (docs/protocol.md §10): the camelCase `Clip` a `clipReady` reply becomes,
 * the session body's `recording` field, the budgets of the playlist poll and what the clip routes'
 * statuses mean.
 */
import { z } from "zod";
import type { HttpStatusOverrides } from "../http/status.js";
import type { BackoffSchedule } from "../policies/backoff.js";
import type { ClipReadyWire } from "../v0/messages.js";

/** What a clip request returns: the window (media seconds) and where its HLS playlist is. */
export interface Clip {
  /** `snap` for `requestClip(seconds)`, `recording` for `requestRecording()`. */
  kind: "snap" | "recording";
  sessionId: string;
  /** Start of the clip on the recording timeline, in seconds. */
  startMarker: number;
  /** End of the clip on the recording timeline, in seconds. */
  endMarker: number;
  /** Where the recording timeline was when the request was answered, in seconds. */
  nowMarker: number;
  /** When the playlist is expected to answer 200, in ms since the Unix epoch. */
  predictedReadyAt: number;
  /** Absolute playlist URL (a path-only URL resolved against the API base URL). */
  playlistUrl: string;
}

/** The session body's `recording` field (local mode reports it; the testkit always does). */
export const RecordingInfoSchema = z.object({
  enabled: z.boolean(),
  chunk_seconds: z.number().positive(),
});
export type RecordingInfoWire = z.infer<typeof RecordingInfoSchema>;

/** The runtime's default recording chunk length. */
export const RECORDING_CHUNK_SECONDS = 4;
/** The longest clip a server makes by default (`requestClip` durations are capped to it). */
export const CLIP_MAX_SECONDS = 300;
/** `Retry-After` the runtime sends with a 202 for a playlist that is not ready yet, in seconds. */
export const CLIP_PENDING_RETRY_AFTER_S = 2;
/** Shortest wait between two playlist polls, whatever `Retry-After` says (our choice). */
export const CLIP_POLL_MIN_DELAY_MS = 200;
/** Longest wait between two playlist polls, whatever `Retry-After` says (our choice). */
export const CLIP_POLL_MAX_DELAY_MS = 5_000;
/** How long past `predictedReadyAt` a playlist poll keeps going before it times out (our choice). */
export const CLIP_READY_SLACK_MS = 30_000;

/**
 * The playlist poll while it answers 202: each wait is the answer's `Retry-After` (the runtime's
 * {@link CLIP_PENDING_RETRY_AFTER_S} when it sends none) clamped to {@link CLIP_POLL_MIN_DELAY_MS}
 * … {@link CLIP_POLL_MAX_DELAY_MS}; the number of polls is bounded by {@link clipPollDeadline},
 * not by a count.
 */
export const CLIP_POLL_SCHEDULE: BackoffSchedule = Object.freeze({
  initialDelayMs: CLIP_POLL_MIN_DELAY_MS,
  factor: 1,
  maxDelayMs: CLIP_POLL_MIN_DELAY_MS,
  maxAttempts: Number.POSITIVE_INFINITY,
});

/**
 * When the playlist poll gives up (ms since the epoch): {@link CLIP_READY_SLACK_MS} after the
 * clip's predicted ready time, and never sooner than one longest poll interval from `nowMs`
 * (a clip asked for long ago still gets a poll before a 202 counts as stuck).
 */
export function clipPollDeadline(predictedReadyAt: number, nowMs: number = Date.now()): number {
  return Math.max(predictedReadyAt + CLIP_READY_SLACK_MS, nowMs + CLIP_POLL_MAX_DELAY_MS);
}
/**
 * The clip routes' exceptions to the HTTP status table (§10): a playlist or segment that answers
 * 410 is a clip that existed and is gone, CLIP_EXPIRED (elsewhere 410 is BAD_REQUEST).
 */
export const CLIP_HTTP_STATUS_CODES: HttpStatusOverrides = Object.freeze({ 410: "CLIP_EXPIRED" });
/** Media type of an HLS playlist. */
export const HLS_PLAYLIST_MEDIA_TYPE = "application/vnd.apple.mpegurl";

/**
 * Resolves a `playlist_url` against the API base URL: a path-only URL is joined to it, and an
 * absolute URL (older runtimes) gets its origin rewritten to the API's, since the runtime only
 * knows its own internal address.
 */
export function resolvePlaylistUrl(playlistUrl: string, apiUrl: string): string {
  const base = new URL(apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(playlistUrl)) {
    const absolute = new URL(playlistUrl);
    const prefix = base.pathname.replace(/\/$/, "");
    return `${base.origin}${prefix}${absolute.pathname}${absolute.search}`;
  }
  const path = playlistUrl.startsWith("/") ? playlistUrl.slice(1) : playlistUrl;
  return new URL(path, base).toString();
}

/** wire → API */
export function clipFromWire(wire: ClipReadyWire, apiUrl: string): Clip {
  const seconds = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : Number(v));
  return {
    kind: wire.kind,
    sessionId: wire.session_id,
    startMarker: seconds(wire.start_marker),
    endMarker: seconds(wire.end_marker),
    nowMarker: seconds(wire.now_marker),
    predictedReadyAt: wire.predicted_ready_at_ms,
    playlistUrl: resolvePlaylistUrl(wire.playlist_url, apiUrl),
  };
}
