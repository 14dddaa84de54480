// getStats() / the `stats` event against what the testkit itself sent, getConnectionTimings()
// and getSessionInfo(): plain JavaScript against the built package.
import { describe, expect, it } from "vitest";
import { echoTestkit, until } from "./helpers.mjs";

const kit = echoTestkit();

const client = kit.client;

// What the GPU peer said it had sent on `track` when the client paused it.
function sentWhenPaused(sessionId, track) {
  return kit.mock.history.waitFor(
    (h) =>
      h.events.find((e) => e.type === "pause_track" && e.sessionId === sessionId && e.detail?.track === track)?.detail
        .sent,
  );
}

describe("getStats() and the stats event", () => {
  it("match the testkit's own counters (packets, payload bytes, frames) and report RTT, bitrates, the candidate pair", async () => {
    const reactor = client({ statsIntervalMs: 200 });
    const events = [];
    reactor.on("stats", (s) => events.push(s));
    expect(reactor.getStats()).toBeUndefined();
    await reactor.connect();
    // A first sample is taken before connect() resolves.
    expect(reactor.getStats()).toMatchObject({ connectionId: reactor.getConnectionId(), tracks: expect.any(Object) });

    const video = () => reactor.getStats()?.tracks.main_video;
    await until(() => video()?.frames >= 15 && video()?.framesPerSecond > 0, 20_000, "15 frames counted");
    const live = reactor.getStats();
    expect(live.rtt).toBeGreaterThanOrEqual(0);
    expect(live.candidateType).toBe("host");
    expect(live.selectedCandidatePair).toMatchObject({
      local: { address: expect.any(String), port: expect.any(Number), protocol: "udp", candidateType: "host" },
      remote: { address: expect.any(String), port: expect.any(Number) },
      state: "succeeded",
      nominated: true,
    });
    expect(live.incomingBitrate).toBeGreaterThan(0);
    expect(live.framesPerSecond).toBe(live.tracks.main_video.framesPerSecond);
    expect(live.tracks.main_video.bitrate).toBeGreaterThan(0);
    expect(live.bytesReceived).toBeGreaterThan(live.tracks.main_video.bytes);
    expect(live.connectionTimings).toEqual(reactor.getConnectionTimings());

    // Stop both tracks; once the last packets are in, the client counted exactly what was sent.
    const sessionId = reactor.getSessionId();
    reactor.track("main_video").pause();
    reactor.track("main_audio").pause();
    const sentVideo = await sentWhenPaused(sessionId, "main_video");
    const sentAudio = await sentWhenPaused(sessionId, "main_audio");
    await until(
      () =>
        video()?.packets === sentVideo.videoPackets &&
        reactor.getStats().tracks.main_audio.packets === sentAudio.audioPackets,
      15_000,
      "every sent packet counted",
    );
    const stats = reactor.getStats();
    expect(stats.tracks.main_video).toMatchObject({
      kind: "video",
      direction: "recvonly",
      packets: sentVideo.videoPackets,
      bytes: sentVideo.videoBytes,
      frames: sentVideo.videoFrames,
      packetsLost: 0,
    });
    expect(stats.tracks.main_audio).toMatchObject({
      kind: "audio",
      packets: sentAudio.audioPackets,
      bytes: sentAudio.audioBytes,
      frames: sentAudio.audioPackets,
    });
    expect(stats.packetLossRatio).toBe(0);
    expect(stats.jitter).toBeGreaterThanOrEqual(0);

    // The event came every interval with fresh samples.
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < events.length; i++) expect(events[i].timestamp).toBeGreaterThan(events[i - 1].timestamp);

    await reactor.disconnect();
    expect(reactor.getStats()).toBeUndefined();
    const count = events.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(events.length).toBe(count);
  });

  it("without statsIntervalMs no stats event fires, and getStats() still answers", async () => {
    const reactor = client();
    let fired = 0;
    reactor.on("stats", () => fired++);
    await reactor.connect();
    await until(() => reactor.getStats()?.tracks.main_video?.packets > 0, 15_000, "packets counted");
    expect(fired).toBe(0);
    await reactor.disconnect();
  });
});

describe("getConnectionTimings() and getSessionInfo()", () => {
  it("report the connect's phases and the session as the coordinator described it", async () => {
    const reactor = client();
    expect(reactor.getConnectionTimings()).toBeUndefined();
    expect(reactor.getSessionInfo()).toBeUndefined();
    await reactor.connect();
    const timings = reactor.getConnectionTimings();
    for (const key of [
      "tokenMs",
      "sessionCreationMs",
      "gpuWaitMs",
      "sdpPollingMs",
      "iceNegotiationMs",
      "transportConnectingMs",
      "totalMs",
    ]) {
      expect(timings[key], key).toBeGreaterThanOrEqual(0);
    }
    // The testkit's GPU queue holds a session CREATED → PENDING → WAITING before assigning a GPU.
    expect(timings.gpuWaitMs).toBeGreaterThan(0);
    expect(timings.sdpPollingMs).toBeGreaterThan(0);
    // The API key was exchanged (tokens are resolved inside the phases' requests, so tokenMs is not added).
    expect(timings.tokenMs).toBeGreaterThan(0);
    expect(timings.tokenMs).toBeLessThan(timings.totalMs);
    expect(timings.totalMs).toBeGreaterThanOrEqual(
      timings.sessionCreationMs + timings.gpuWaitMs + timings.transportConnectingMs - 1,
    );
    expect(timings.transportConnectingMs).toBeGreaterThanOrEqual(timings.sdpPollingMs + timings.iceNegotiationMs - 1);
    await until(() => reactor.getConnectionTimings().firstFrameMs !== undefined, 15_000, "the first frame");
    expect(reactor.getConnectionTimings().firstFrameMs).toBeGreaterThanOrEqual(timings.totalMs);

    expect(reactor.getSessionInfo()).toMatchObject({
      sessionId: reactor.getSessionId(),
      status: "ready",
      state: "ACTIVE",
      cluster: "testkit-local",
      model: { name: "echo" },
      serverVersion: expect.stringMatching(/^testkit-/),
      selectedTransport: { protocol: "webrtc", version: "1.0" },
      connectionId: reactor.getConnectionId(),
    });
    await reactor.disconnect();
    expect(reactor.getConnectionTimings()).toBeUndefined();
    expect(reactor.getSessionInfo()).toBeUndefined();
  });
});
