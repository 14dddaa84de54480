/**
 * Reading a clip's HLS media playlist: the fMP4 init segment (`#EXT-X-MAP:URI="…"`, which a
 * parser that skips `#` lines would lose) and the media segments in order, with their
 * `#EXTINF` durations. URIs are resolved against the playlist's own URL, as HLS requires.
 */
import { reactorError } from "@reactor-node/protocol";

/** Most segments a playlist may list (a five-minute clip in 4 s chunks is 75). */
export const PLAYLIST_MAX_SEGMENTS = 10_000;
/** Largest playlist body read. */
export const PLAYLIST_MAX_BYTES = 1024 * 1024;

/** What a clip playlist lists. */
export interface ClipPlaylist {
  initUrl: string;
  segments: Array<{ url: string; durationS: number }>;
  /** Sum of the `#EXTINF` durations, seconds. */
  durationS: number;
}

/** Parses a playlist fetched from `playlistUrl`; throws INVALID_RESPONSE when it is not an fMP4 clip. */
export function parseClipPlaylist(text: string, playlistUrl: string): ClipPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== "#EXTM3U") throw reactorError("INVALID_RESPONSE", "The clip playlist does not start with #EXTM3U");
  let initUrl: string | undefined;
  const segments: ClipPlaylist["segments"] = [];
  let pendingDuration: number | undefined;
  const resolve = (uri: string): string => {
    try {
      return new URL(uri, playlistUrl).toString();
    } catch (cause) {
      throw reactorError(
        "INVALID_RESPONSE",
        `The clip playlist names an invalid URI ${JSON.stringify(uri.slice(0, 80))}`,
        {
          cause,
        },
      );
    }
  };
  for (const line of lines) {
    if (line === "") continue;
    if (line.startsWith("#EXT-X-MAP:")) {
      const uri = /URI="([^"]*)"/.exec(line)?.[1];
      if (!uri) throw reactorError("INVALID_RESPONSE", "The clip playlist's #EXT-X-MAP has no URI");
      initUrl = resolve(uri);
    } else if (line.startsWith("#EXTINF:")) {
      const value = Number.parseFloat(line.slice("#EXTINF:".length));
      pendingDuration = Number.isFinite(value) && value >= 0 ? value : 0;
    } else if (!line.startsWith("#")) {
      if (segments.length >= PLAYLIST_MAX_SEGMENTS) {
        throw reactorError("INVALID_RESPONSE", `The clip playlist lists more than ${PLAYLIST_MAX_SEGMENTS} segments`);
      }
      segments.push({ url: resolve(line), durationS: pendingDuration ?? 0 });
      pendingDuration = undefined;
    }
  }
  if (!initUrl) {
    throw reactorError("INVALID_RESPONSE", "The clip playlist has no #EXT-X-MAP init segment (not fragmented MP4)");
  }
  if (segments.length === 0) throw reactorError("INVALID_RESPONSE", "The clip playlist lists no segments");
  return { initUrl, segments, durationS: segments.reduce((a, s) => a + s.durationS, 0) };
}
