/**
 * Clip playlists and their fMP4 segments (docs/protocol.md §10): `GET /clips?session_id&start&end`
 * answers 202 + `Retry-After` while the clip is being cut, 200 with an HLS playlist once it is
 * ready, 404 for a clip or session that never existed and 410 for one that is gone. Hosted
 * sessions need the Bearer JWT on every request; the local session's clips are open, as the
 * runtime's are.
 */
import {
  CLIP_HTTP_STATUS_CODES,
  CLIP_PENDING_RETRY_AFTER_S,
  HEADER_AUTHORIZATION,
  HEADER_RETRY_AFTER,
  HLS_PLAYLIST_MEDIA_TYPE,
} from "@reactor-node/protocol";
import type { StoredClip } from "../clips.js";
import type { CoordinatorContext } from "../context.js";
import { HttpError, json, type Reply } from "../http.js";
import { type RequestContext, type Route, route } from "../router.js";

/** The media type of an init segment; media segments are `video/iso.segment`. */
const MP4_MEDIA_TYPE = "video/mp4";
const SEGMENT_MEDIA_TYPE = "video/iso.segment";
const SEGMENT_FILE = /^chunk_(\d{5})\.m4s$/;

/** The store key of a clip window, as the recorder formats its markers. */
function clipKey(start: number, end: number): string {
  return `${start.toFixed(3)}-${end.toFixed(3)}`;
}

function marker(ctx: RequestContext<unknown>, name: string): number {
  const raw = ctx.query.get(name);
  const value = raw === null || raw.trim() === "" ? Number.NaN : Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new HttpError(400, `${name} must be a non-negative number of seconds`);
  return value;
}

function playlist(clip: StoredClip): string {
  const base = `/clips/${encodeURIComponent(clip.sessionId)}/${encodeURIComponent(clip.key)}`;
  const longest = Math.max(1, ...clip.segments.map((s) => s?.durationS ?? 0));
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    `#EXT-X-TARGETDURATION:${Math.ceil(longest)}`,
    "#EXT-X-PLAYLIST-TYPE:VOD",
    "#EXT-X-MEDIA-SEQUENCE:0",
    `#EXT-X-MAP:URI="${base}/init.mp4"`,
  ];
  clip.segments.forEach((s, i) => {
    lines.push(`#EXTINF:${(s?.durationS ?? 0).toFixed(3)},`, `${base}/chunk_${String(i).padStart(5, "0")}.m4s`);
  });
  lines.push("#EXT-X-ENDLIST");
  return `${lines.join("\n")}\n`;
}

/** The clip routes. */
export function clipRoutes(c: CoordinatorContext): Route[] {
  /** The clip a request names, after the session's access check; throws 400/401/404/410. */
  const find = (ctx: RequestContext<unknown>, sessionId: string, key: string): StoredClip => {
    const session = c.sessions.get(sessionId);
    ctx.sessionId = sessionId;
    if (!session) throw new HttpError(404, "Unknown session");
    if (!session.local) c.authority.verify(ctx.header(HEADER_AUTHORIZATION));
    const clip = c.clips.get(sessionId, key);
    if (!clip) throw new HttpError(404, `No clip ${key} in this session`);
    if (clip.state === "gone") {
      throw new HttpError(410, clip.goneReason ?? "The clip is gone", {}, {}, CLIP_HTTP_STATUS_CODES);
    }
    return clip;
  };
  const media = (ctx: RequestContext<unknown>, build: (clip: StoredClip) => Reply): Reply => {
    const clip = find(ctx, ctx.params.sid!, ctx.params.key!);
    if (clip.state !== "ready") throw new HttpError(404, "The clip is not ready yet");
    return build(clip);
  };
  return [
    route({
      method: "GET",
      pattern: "/clips",
      // Checked in the handler: hosted sessions need the JWT, the local one does not.
      auth: "none",
      versions: "none",
      body: { kind: "none" },
      handler: (ctx) => {
        const sessionId = ctx.query.get("session_id");
        if (!sessionId) throw new HttpError(400, "session_id is required");
        const start = marker(ctx, "start");
        const end = marker(ctx, "end");
        if (end <= start) throw new HttpError(400, "end must be greater than start");
        const clip = find(ctx, sessionId, clipKey(start, end));
        if (clip.state === "pending") {
          const wait = Math.ceil((clip.clip.predicted_ready_at_ms - Date.now()) / 1000);
          const retry = Math.min(CLIP_PENDING_RETRY_AFTER_S, Math.max(1, wait));
          return json(202, { detail: "The clip is being prepared" }, { [HEADER_RETRY_AFTER]: String(retry) });
        }
        return { status: 200, raw: { data: playlist(clip), contentType: HLS_PLAYLIST_MEDIA_TYPE } };
      },
    }),
    route({
      method: "GET",
      pattern: "/clips/:sid/:key/init.mp4",
      auth: "jwt",
      versions: "none",
      body: { kind: "none" },
      handler: (ctx) => media(ctx, (clip) => ({ status: 200, raw: { data: clip.init!, contentType: MP4_MEDIA_TYPE } })),
    }),
    route({
      method: "GET",
      pattern: "/clips/:sid/:key/:file",
      auth: "jwt",
      versions: "none",
      body: { kind: "none" },
      handler: (ctx) =>
        media(ctx, (clip) => {
          const match = SEGMENT_FILE.exec(ctx.params.file!);
          const segment = match ? clip.segments[Number(match[1])] : undefined;
          if (!segment) throw new HttpError(404, `No segment ${ctx.params.file}`);
          return { status: 200, raw: { data: segment.data, contentType: SEGMENT_MEDIA_TYPE } };
        }),
    }),
  ];
}
