/** downloadClip's HTTP behaviour against a real local server: 202 polling, auth scope, 404/410, malformed playlists. */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clip } from "@reactor-node/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadClip } from "../../src/clips/download.js";
import { PLAYLIST_MAX_BYTES, parseClipPlaylist } from "../../src/clips/playlist.js";
import { serve, type TestServer } from "./http-server.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "reactor-dl-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function clipAt(server: TestServer, path: string): Clip {
  return {
    kind: "snap",
    sessionId: "s",
    startMarker: 0,
    endMarker: 1,
    nowMarker: 1,
    predictedReadyAt: Date.now(),
    playlistUrl: `${server.url}${path}`,
  };
}

const host = (apiUrl: string, errors: unknown[] = []) => ({
  apiUrl,
  authorization: async () => "Bearer t0ken",
  reportListenerError: (e: unknown) => errors.push(e),
});

describe("downloadClip", () => {
  it("polls while 202 (honouring Retry-After), then writes init + segments as one file; the JWT stays on the API origin", async () => {
    let polls = 0;
    const other = await serve((_req, res) => {
      res.writeHead(200).end(Buffer.from("SEG1"));
    });
    const server = await serve((req, res) => {
      if (req.url.startsWith("/clips?")) {
        if (polls++ < 2) {
          res.writeHead(202, { "Retry-After": "0" }).end("{}");
          return;
        }
        res
          .writeHead(200, { "Content-Type": "application/vnd.apple.mpegurl" })
          .end(
            `#EXTM3U\n#EXT-X-MAP:URI="/c/init.mp4"\n#EXTINF:2.0,\nseg0.m4s\n#EXTINF:1.5,\n${other.url}/seg1.m4s\n#EXT-X-ENDLIST\n`,
          );
        return;
      }
      res.writeHead(200).end(Buffer.from(req.url === "/c/init.mp4" ? "INIT" : "SEG0"));
    });
    try {
      const errors: unknown[] = [];
      const progress: number[] = [];
      const path = join(dir, "a.mp4");
      const result = await downloadClip(
        host(server.url, errors),
        clipAt(server, "/clips?session_id=s&start=0&end=1"),
        path,
        {
          onProgress: (p) => {
            progress.push(p.partsDone);
            throw new Error("a throwing progress callback");
          },
        },
      );
      expect(await readFile(path, "utf8")).toBe("INITSEG0SEG1");
      expect(result).toMatchObject({ bytes: 12, segments: 2, durationS: 3.5, pendingPolls: 2 });
      expect(progress.at(-1)).toBe(3);
      expect(errors.length).toBeGreaterThan(0);
      // Relative segment URIs resolve against the playlist; auth goes to the API origin only.
      expect(server.requests.map((r) => r.url)).toContain("/seg0.m4s");
      expect(server.requests.every((r) => r.headers.authorization === "Bearer t0ken")).toBe(true);
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await server.close();
      await other.close();
    }
  });

  it("maps 404 and 410 to typed errors, on the playlist and on a segment, and leaves no partial file", async () => {
    const server = await serve((req, res) => {
      if (req.url.startsWith("/gone")) res.writeHead(410).end('{"detail":"expired"}');
      else if (req.url.startsWith("/expiring"))
        res.writeHead(200).end('#EXTM3U\n#EXT-X-MAP:URI="/init"\n#EXTINF:1,\n/gone/seg0.m4s\n');
      else if (req.url.startsWith("/clips"))
        res.writeHead(200).end('#EXTM3U\n#EXT-X-MAP:URI="/init"\n#EXTINF:1,\n/missing\n');
      else if (req.url === "/init") res.writeHead(200).end("I");
      else res.writeHead(404).end('{"detail":"no"}');
    });
    try {
      await expect(downloadClip(host(server.url), clipAt(server, "/gone"), join(dir, "g.mp4"))).rejects.toMatchObject({
        code: "CLIP_EXPIRED",
        message: expect.stringContaining("expired"),
      });
      // The clip routes' 410 is CLIP_EXPIRED on a segment too (through the one status table).
      await expect(
        downloadClip(host(server.url), clipAt(server, "/expiring"), join(dir, "e.mp4")),
      ).rejects.toMatchObject({
        code: "CLIP_EXPIRED",
        recoverable: false,
        message: expect.stringMatching(/^GET clip segment 0: HTTP 410/),
      });
      await expect(
        downloadClip(host(server.url), clipAt(server, "/nothing"), join(dir, "n.mp4")),
      ).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(downloadClip(host(server.url), clipAt(server, "/clips"), join(dir, "m.mp4"))).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      expect((await readdir(dir)).filter((f) => /^[gnme]\./.test(f))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("refuses a playlist over PLAYLIST_MAX_BYTES, declared or streamed, with INVALID_RESPONSE and no file", async () => {
    const huge = `#EXTM3U\n${"#EXT-X-COMMENT:x\n".repeat(PLAYLIST_MAX_BYTES / 16 + 1)}`;
    const server = await serve((req, res) => {
      // /declared says its length up front; /streamed is chunked, so only counting can catch it.
      if (req.url.startsWith("/declared")) res.writeHead(200, { "Content-Length": Buffer.byteLength(huge) }).end(huge);
      else {
        res.writeHead(200);
        for (let i = 0; i < huge.length; i += 65_536) res.write(huge.slice(i, i + 65_536));
        res.end();
      }
    });
    try {
      for (const path of ["/declared", "/streamed"]) {
        await expect(downloadClip(host(server.url), clipAt(server, path), join(dir, "big.mp4"))).rejects.toMatchObject({
          code: "INVALID_RESPONSE",
          message: expect.stringMatching(
            /^GET clip playlist: response body of \d+\+ bytes exceeds the 1048576-byte limit/,
          ),
        });
      }
      expect((await readdir(dir)).filter((f) => f.startsWith("big."))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("gives up with TIMEOUT when still 202 past the predicted time plus slack, and aborts on request", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(202, { "Retry-After": "5" }).end("{}");
    });
    try {
      const late = { ...clipAt(server, "/clips"), predictedReadyAt: Date.now() - 60_000 };
      await expect(downloadClip(host(server.url), late, join(dir, "t.mp4"))).rejects.toMatchObject({ code: "TIMEOUT" });
      const controller = new AbortController();
      const pending = downloadClip(host(server.url), clipAt(server, "/clips"), join(dir, "u.mp4"), {
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(new Error("enough")), 50);
      await expect(pending).rejects.toMatchObject({ code: "ABORTED" });
    } finally {
      await server.close();
    }
  });

  it("writes into a WritableStream", async () => {
    const server = await serve((req, res) => {
      if (req.url.startsWith("/clips")) res.writeHead(200).end('#EXTM3U\n#EXT-X-MAP:URI="/i"\n#EXTINF:1,\n/s\n');
      else res.writeHead(200).end(req.url === "/i" ? "ab" : "cd");
    });
    try {
      const chunks: Uint8Array[] = [];
      const stream = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) });
      await downloadClip(host(server.url), clipAt(server, "/clips"), stream);
      expect(Buffer.concat(chunks).toString()).toBe("abcd");
    } finally {
      await server.close();
    }
  });

  it("refuses playlists that are not fragmented-MP4 clips", () => {
    expect(() => parseClipPlaylist("hello", "http://x/")).toThrow(/EXTM3U/);
    expect(() => parseClipPlaylist("#EXTM3U\n#EXTINF:1,\na.ts\n", "http://x/")).toThrow(/EXT-X-MAP/);
    expect(() => parseClipPlaylist('#EXTM3U\n#EXT-X-MAP:URI="i"\n', "http://x/")).toThrow(/no segments/);
  });
});
