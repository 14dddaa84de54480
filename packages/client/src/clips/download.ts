/**
 * Downloading a clip (docs/protocol.md §10): poll its playlist while it answers 202 (the one poll
 * loop on the protocol's `CLIP_POLL_SCHEDULE`: waiting what `Retry-After` says, clamped, and never
 * past the predicted ready time plus `CLIP_READY_SLACK_MS`), then fetch the init segment and every media segment in order and
 * write them back to back. The result is one fragmented MP4 file: the very bytes an HLS player
 * would play, which every common player opens, written as they arrive with no second copy in
 * memory and no remuxing library (nothing to re-encode: the segments already are one movie).
 * The Bearer JWT goes only to the API's own origin. Statuses read through the protocol's one table
 * with the clip routes' exceptions (`CLIP_HTTP_STATUS_CODES`): 404 is NOT_FOUND, 410 CLIP_EXPIRED.
 */
import {
  abortError,
  CLIP_HTTP_STATUS_CODES,
  CLIP_PENDING_RETRY_AFTER_S,
  CLIP_POLL_MAX_DELAY_MS,
  CLIP_POLL_SCHEDULE,
  CLIP_READY_SLACK_MS,
  type Clip,
  clipPollDeadline,
  errorFromHttpStatus,
  HEADER_AUTHORIZATION,
  HTTP_REQUEST_TIMEOUT_MS,
  isReactorError,
  parseRetryAfter,
  type ReactorError,
  reactorError,
} from "@reactor-node/protocol";
import { readBounded } from "../http/fetch-json.js";
import { poll } from "../http/poll.js";
import { type ClipTarget, openClipSink } from "./clip-sink.js";
import { type ClipPlaylist, PLAYLIST_MAX_BYTES, parseClipPlaylist } from "./playlist.js";

/** Progress of a download, reported after every chunk written. */
export interface ClipDownloadProgress {
  /** Bytes written so far. */
  bytes: number;
  /** Parts fetched completely (the init segment counts as one). */
  partsDone: number;
  /** Parts to fetch: init + media segments. */
  parts: number;
}

/** Options of `reactor.downloadClip()`. */
export interface DownloadClipOptions {
  onProgress?: (progress: ClipDownloadProgress) => void;
  signal?: AbortSignal;
}

/** What a finished download wrote. */
export interface DownloadedClip {
  /** The file written, when the target was a path. */
  path?: string;
  bytes: number;
  /** Media segments fetched. */
  segments: number;
  /** Duration the playlist declares, seconds. */
  durationS: number;
  /** Playlist polls that answered 202 before it was ready. */
  pendingPolls: number;
}

/** What a download needs from the session. */
export interface ClipDownloadHost {
  /** The API base URL; only requests to its origin carry the JWT. */
  apiUrl: string;
  /** The `Authorization` header value, or undefined (local mode, no credentials). */
  authorization(signal: AbortSignal | undefined): Promise<string | undefined>;
  requestTimeoutMs?: number;
  /** A throwing `onProgress` is reported here; the download goes on. */
  reportListenerError(error: unknown): void;
}

/** Downloads `clip` into `target`. Every failure is a ReactorError; a file target is never left half-written. */
export async function downloadClip(
  host: ClipDownloadHost,
  clip: Clip,
  target: ClipTarget,
  options: DownloadClipOptions = {},
): Promise<DownloadedClip> {
  const { signal } = options;
  if (!clip || typeof clip.playlistUrl !== "string") {
    throw reactorError("INVALID_ARGUMENT", "downloadClip() needs a Clip from requestClip() or requestRecording()");
  }
  if (signal?.aborted) throw abortError(signal, "downloadClip()");
  const apiOrigin = new URL(host.apiUrl).origin;
  const get = async (url: string, what: string): Promise<Response> => {
    const headers: Record<string, string> = {};
    if (new URL(url).origin === apiOrigin) {
      const auth = await host.authorization(signal);
      if (auth) headers[HEADER_AUTHORIZATION] = auth;
    }
    const timeoutMs = host.requestTimeoutMs ?? HTTP_REQUEST_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await fetch(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (cause) {
      if (signal?.aborted) throw abortError(signal, "downloadClip()");
      if (timeout.aborted) throw reactorError("TIMEOUT", `${what}: no response within ${timeoutMs} ms`, { cause });
      throw reactorError("NETWORK_ERROR", `${what}: ${(cause as Error).message}`, { cause });
    }
  };
  const fail = async (response: Response, what: string): Promise<ReactorError> => {
    const detail = (await response.text().catch(() => "")).slice(0, 300);
    return errorFromHttpStatus({
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      request: what,
      ...(detail && { detail }),
      overrides: CLIP_HTTP_STATUS_CODES,
    });
  };

  // 1. The playlist, polled while it is being prepared; any other failure ends the poll at once.
  let pendingPolls = 0;
  const playlist = await poll<ClipPlaylist>({
    attempt: async () => {
      const response = await get(clip.playlistUrl, "GET clip playlist");
      if (response.status === 202) {
        await response.body?.cancel().catch(() => {});
        pendingPolls++;
        const retryAfter = parseRetryAfter(response.headers.get("retry-after")) ?? CLIP_PENDING_RETRY_AFTER_S;
        return { done: false, retryAfter };
      }
      if (response.status !== 200) throw await fail(response, "GET clip playlist");
      const text = await readBounded(response, PLAYLIST_MAX_BYTES, "GET clip playlist");
      return { done: true, value: parseClipPlaylist(text, response.url || clip.playlistUrl) };
    },
    schedule: CLIP_POLL_SCHEDULE,
    retryAfterMaxMs: CLIP_POLL_MAX_DELAY_MS,
    deadline: clipPollDeadline(clip.predictedReadyAt),
    retryable: () => false,
    exhausted: () =>
      reactorError(
        "TIMEOUT",
        `The clip was not ready ${CLIP_READY_SLACK_MS} ms after its predicted time (${new Date(clip.predictedReadyAt).toISOString()})`,
      ),
    what: "downloadClip()",
    ...(signal && { signal }),
  });

  // 2. Init + segments, back to back.
  const sink = await openClipSink(target);
  const parts = [playlist.initUrl, ...playlist.segments.map((s) => s.url)];
  const progress: ClipDownloadProgress = { bytes: 0, partsDone: 0, parts: parts.length };
  const report = (): void => {
    try {
      options.onProgress?.({ ...progress });
    } catch (error) {
      host.reportListenerError(error);
    }
  };
  try {
    for (const [i, url] of parts.entries()) {
      const what = i === 0 ? "GET clip init segment" : `GET clip segment ${i - 1}`;
      const response = await get(url, what);
      if (response.status !== 200) throw await fail(response, what);
      if (!response.body) throw reactorError("INVALID_RESPONSE", `${what}: empty body`);
      const reader = response.body.getReader();
      for (;;) {
        let chunk: { done: true; value?: undefined } | { done: false; value: Uint8Array };
        try {
          chunk = await reader.read();
        } catch (cause) {
          if (signal?.aborted) throw abortError(signal, "downloadClip()");
          throw reactorError("NETWORK_ERROR", `${what}: the body broke off`, { cause });
        }
        if (chunk.done) break;
        try {
          await sink.write(chunk.value);
        } catch (cause) {
          throw reactorError("CLIP_FAILED", `Writing the clip failed: ${(cause as Error).message}`, { cause });
        }
        progress.bytes += chunk.value.byteLength;
        report();
      }
      progress.partsDone++;
      report();
    }
    await sink.commit();
  } catch (error) {
    await sink.discard(error);
    if (isReactorError(error)) throw error;
    throw reactorError("CLIP_FAILED", `Writing the clip failed: ${String(error)}`, { cause: error });
  }
  return {
    ...(typeof target === "string" && { path: target }),
    bytes: progress.bytes,
    segments: playlist.segments.length,
    durationS: playlist.durationS,
    pendingPolls,
  };
}
