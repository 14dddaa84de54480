/** Clips and recordings against the testkit: request, 202 polling, download, and what the files hold. */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clip } from "@reactor-node/protocol";
import { FrameNumberUnwrapper, type MockReactor, readPattern, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reactor } from "../../src/index.js";
import { until } from "../helpers.js";
import { ffprobe, readClip } from "./read-clip.js";

const FPS = 30;
let mock: MockReactor;
let dir: string;
beforeAll(async () => {
  mock = await startMockReactor({ video: { width: 320, height: 180, fps: FPS } });
  dir = await mkdtemp(join(tmpdir(), "reactor-clips-"));
});
afterAll(async () => {
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

function probeNotice(): void {
  // CI installs ffmpeg (.ci/run); a developer machine without it still checks everything else.
  console.warn("ffprobe not found: skipping the ffprobe checks (mediabunny still reads the files)");
}

describe("clips and recordings", () => {
  it("a 2 s clip holds the last 2 s of the stream; a recording holds the session; both open with ffprobe", async () => {
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    await reactor.connect();
    const seen = new FrameNumberUnwrapper();
    reactor.onFrame((frame) => {
      const reading = readPattern(frame.data, frame.width, frame.height);
      if (reading) seen.push(reading.frameNumber);
    });
    // Enough stream for a 2 s window past the first second.
    await until(() => (seen.last ?? 0) >= 3 * FPS, 20_000, "3 s of frames");
    const latestBefore = seen.last!;
    const clip = await reactor.requestClip(2);
    expect(clip).toMatchObject({ kind: "snap", sessionId: reactor.getSessionId() });
    expect(clip.endMarker - clip.startMarker).toBeCloseTo(2, 3);
    expect(clip.nowMarker).toBe(clip.endMarker);
    expect(clip.playlistUrl.startsWith(`${mock.url}/clips?session_id=`)).toBe(true);
    expect(clip.predictedReadyAt).toBeGreaterThan(Date.now() - 1000);

    const progress: number[] = [];
    const path = join(dir, "clip.mp4");
    const result = await reactor.downloadClip(clip, path, { onProgress: (p) => progress.push(p.bytes) });
    expect(result.path).toBe(path);
    expect(result.bytes).toBe(progress.at(-1));
    expect(progress.length).toBeGreaterThan(2);
    // The clip's chunk had not closed when asked: the playlist answered 202 (Retry-After) first.
    const polls = mock.history.http.filter((h) => h.path === "/clips" && h.sessionId === clip.sessionId);
    expect(polls.map((h) => h.status)).toContain(202);
    expect(polls.at(-1)?.status).toBe(200);
    expect(result.pendingPolls).toBe(polls.filter((h) => h.status === 202).length);

    const contents = await readClip(path);
    expect(contents).toMatchObject({ codec: "vp8", width: 320, height: 180 });
    expect(contents.durationS).toBeGreaterThan(1.9);
    expect(contents.durationS).toBeLessThan(2.1);
    // Consecutive frames of the stream, ending where the stream was when the clip was asked for...
    const numbers = contents.numbers;
    // The 2 s span above is stream time (the frames' RTP times); a loaded sender skips pacing
    // slots, so the frame count may fall short of 2 × fps, never above it.
    expect(numbers.length).toBeGreaterThanOrEqual(FPS / 3);
    expect(numbers.length).toBeLessThanOrEqual(2 * FPS + 1);
    expect(numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1)).toBe(true);
    // The clip ends where the sender was when asked: at or past what this client had decoded then
    // (decoding lags the sender under load), and a frame this client has received since.
    const last = numbers.at(-1)!;
    expect(last).toBeGreaterThanOrEqual(latestBefore);
    await until(() => seen.last! >= last, 10_000, "the clip's last frame to reach the client");
    const probed = await ffprobe(path);
    if (probed) {
      expect(probed.codec).toBe("vp8");
      expect(probed.durationS).toBeGreaterThan(1.9);
      expect(probed.durationS).toBeLessThan(2.1);
    } else probeNotice();

    const recording: Clip = await reactor.requestRecording();
    expect(recording.kind).toBe("recording");
    expect(recording.startMarker).toBe(0);
    const recPath = join(dir, "recording.mp4");
    const rec = await reactor.downloadClip(recording, recPath);
    const recContents = await readClip(recPath);
    expect(recContents.durationS).toBeCloseTo(recording.endMarker, 0);
    // The whole session from its first pattern frame (number 0), without a gap.
    expect(recContents.numbers[0]).toBe(0);
    expect(recContents.numbers.every((n, i) => i === 0 || n === recContents.numbers[i - 1]! + 1)).toBe(true);
    expect(rec.segments).toBeGreaterThanOrEqual(1);
    const recProbe = await ffprobe(recPath);
    if (recProbe) {
      expect(recProbe.codec).toBe("vp8");
      expect(recProbe.durationS).toBeCloseTo(recording.endMarker, 0);
    }
    // Nothing half-written is left beside the files.
    expect((await readdir(dir)).filter((f) => f.endsWith(".part"))).toEqual([]);
  });

  it("refuses bad durations before sending, reports the server's clipFailed reason, and 404 for unknown clips", async () => {
    await using reactor = new Reactor({
      modelName: "echo",
      apiKey: mock.apiKey,
      apiUrl: mock.url,
      extraArgs: { recording: { enabled: false } },
    });
    await expect(reactor.requestClip(2)).rejects.toMatchObject({ code: "NOT_READY" });
    await reactor.connect();
    const sid = reactor.getSessionId();
    mock.history.clear();
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(reactor.requestClip(bad)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    }
    expect(mock.history.dataChannel.filter((d) => d.sessionId === sid && d.text?.includes("requestClip"))).toEqual([]);
    await expect(reactor.requestClip(1)).rejects.toMatchObject({
      code: "CLIP_FAILED",
      message: expect.stringContaining("recorder disabled"),
    });
    await expect(reactor.requestRecording()).rejects.toMatchObject({ code: "CLIP_FAILED" });
    const forged: Clip = {
      kind: "snap",
      sessionId: sid!,
      startMarker: 0,
      endMarker: 1,
      nowMarker: 1,
      predictedReadyAt: Date.now(),
      playlistUrl: `${mock.url}/clips?session_id=${sid}&start=0.000&end=1.000`,
    };
    await expect(reactor.downloadClip(forged, join(dir, "nope.mp4"))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      reactor.downloadClip(
        { ...forged, playlistUrl: `${mock.url}/clips?session_id=nope&start=0&end=1` },
        join(dir, "x.mp4"),
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await readdir(dir)).filter((f) => f.startsWith("nope") || f.startsWith("x."))).toEqual([]);
  });
});
