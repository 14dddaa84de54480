import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockReactor, startMockReactor } from "../src/mock.js";
import { api, createSession, deleteSession, token, waitReady } from "./helpers/http.js";
import { TestPeer } from "./helpers/peer.js";

describe("media and liveness details", () => {
  let mock: MockReactor;
  let jwt: string;
  beforeAll(async () => {
    mock = await startMockReactor({
      gpus: 2,
      video: { width: 320, height: 180 },
      models: ["echo", { name: "echo-av", audio: true, maxSessionSeconds: 60 }],
      timings: { idleTimeoutMs: 1500 },
    });
    jwt = await token(mock);
  });
  afterAll(async () => {
    await mock.close();
  });

  it("an RTCP PLI is answered with a keyframe", async () => {
    const { session } = await waitReady(mock, jwt, (await createSession(mock, jwt)).session_id);
    const peer = await TestPeer.connect(mock, jwt, session);
    try {
      await peer.until(() => peer.video.frames > 10, "frames");
      const receiver = peer.pc
        .getTransceivers()
        .find((t) => t.receiver.track?.kind === "video" && t.currentDirection === "recvonly")!.receiver;
      const before = peer.video.keyframes;
      const ssrc = receiver.track!.ssrc!;
      await receiver.sendRtcpPLI(ssrc);
      await peer.until(() => peer.video.keyframes > before, "keyframe after PLI");
    } finally {
      await peer.close();
      await deleteSession(mock, jwt, session.session_id);
    }
  });

  it("candidates that arrive before the offer are buffered and applied", async () => {
    const { session } = await waitReady(mock, jwt, (await createSession(mock, jwt)).session_id);
    const peer = await TestPeer.connect(mock, jwt, session, { candidatesFirst: true });
    try {
      expect(peer.pc.connectionState).toBe("connected");
      await peer.until(() => peer.video.frames > 0, "frames");
    } finally {
      await peer.close();
      await deleteSession(mock, jwt, session.session_id);
    }
  });

  it("silence on every channel closes the connection after the idle timeout; pings keep it alive", async () => {
    const { session } = await waitReady(mock, jwt, (await createSession(mock, jwt)).session_id);
    const quiet = await TestPeer.connect(mock, jwt, session);
    const chatty = await TestPeer.connect(mock, jwt, session);
    const ping = setInterval(
      () => chatty.sendRaw(JSON.stringify({ scope: "runtime", data: { type: "ping", data: {} } })),
      300,
    );
    try {
      await quiet.until(() => quiet.dataClosed, "idle close", 10_000);
      const idle = mock.history.events.filter((e) => e.type === "idle_timeout" && e.sessionId === session.session_id);
      expect(idle.map((e) => e.connectionId)).toEqual([quiet.connectionId]);
      expect(chatty.dataClosed).toBe(false);
    } finally {
      clearInterval(ping);
      await quiet.close();
      await chatty.close();
      await deleteSession(mock, jwt, session.session_id);
    }
  });

  it("more models: main_audio carries Opus; a maximum duration shows as expires_at", async () => {
    const created = await createSession(mock, jwt, { model: "echo-av" });
    const { session } = await waitReady(mock, jwt, created.session_id);
    expect(session.capabilities?.tracks.map((t) => t.name)).toEqual(["webcam", "mic", "main_video", "main_audio"]);
    expect(session.expires_at).toBeGreaterThan(Date.now() / 1000 + 50);
    const peer = await TestPeer.connect(mock, jwt, session);
    try {
      let audio = 0;
      const t = peer.pc.getTransceivers().find((tr) => tr.kind === "audio" && tr.currentDirection === "recvonly")!;
      t.receiver.track?.onReceiveRtp.subscribe(() => audio++);
      await peer.until(() => audio > 10, "Opus packets");
      expect(peer.answerSdp).toMatch(/opus\/48000/i);
    } finally {
      await peer.close();
      await deleteSession(mock, jwt, session.session_id);
    }
    const res = await api(mock.url, "/sessions", {
      jwt,
      body: {
        model: { name: "nope" },
        client_info: { sdk_version: "1", sdk_type: "t" },
        supported_transports: [{ protocol: "webrtc", version: "1.0" }],
      },
    });
    expect(res.body.detail).toContain("echo, echo-av");
  });

  it("streams 1280×720 @ 30 that decodes to the pattern", async () => {
    await using hd = await startMockReactor({ video: { width: 1280, height: 720, fps: 30 } });
    const hdJwt = await token(hd);
    const { session } = await waitReady(hd, hdJwt, (await createSession(hd, hdJwt)).session_id);
    const peer = await TestPeer.connect(hd, hdJwt, session, { decode: true });
    try {
      await peer.until(() => peer.video.numbers.length >= 10, "720p frames", 30_000);
      expect(peer.video.sizes[0]).toBe("1280x720");
      expect(peer.video.maxPayload).toBeLessThanOrEqual(1200);
    } finally {
      await peer.close();
    }
  });
});
