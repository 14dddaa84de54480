import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockReactor, startMockReactor } from "../src/mock.js";
import { FrameNumberUnwrapper } from "../src/video/frame-number.js";
import { createSession, token, waitReady } from "./helpers/http.js";
import { TestPeer } from "./helpers/peer.js";

describe("happy path", () => {
  let mock: MockReactor;
  beforeAll(async () => {
    mock = await startMockReactor();
  });
  afterAll(async () => {
    await mock.close();
  });

  it("session → waiting → GPU → SDP → channels → resume → decoded frames with increasing numbers", async () => {
    const jwt = await token(mock);
    const created = await createSession(mock, jwt);
    expect(created.state).toBe("CREATED");
    const { session, states } = await waitReady(mock, jwt, created.session_id);
    expect(states.at(-1)).toBe("ACTIVE");
    expect(session.selected_transport).toEqual({ protocol: "webrtc", version: "1.0" });
    expect(session.capabilities?.tracks.map((t) => t.name)).toContain("main_video");
    const history = mock.history.events.filter((e) => e.sessionId === created.session_id && e.type === "state");
    expect(history.map((e) => e.detail)).toEqual(["CREATED", "PENDING", "WAITING", "ACTIVE"]);

    const peer = await TestPeer.connect(mock, jwt, session, { decode: true });
    try {
      expect(peer.answerSdp).toContain("a=end-of-candidates");
      expect(peer.answerSdp).toMatch(/VP8\/90000/);
      const schema = await peer.until(() => peer.message("runtime", "modelSchema"), "modelSchema");
      expect(schema.data.data.openapi).toBe("3.1.0");
      await peer.until(() => peer.video.numbers.length >= 20, "20 decoded frames", 20_000);
      const unwrap = new FrameNumberUnwrapper();
      const counts = peer.video.numbers.map((n) => unwrap.push(n));
      for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThan(counts[i - 1]!);
      expect(peer.video.keyframes).toBeGreaterThanOrEqual(1);
      expect(peer.video.maxPayload).toBeLessThanOrEqual(1200);
      expect(peer.video.sizes[0]).toBe("640x360");
      expect(peer.lastReading?.state.effect).toBe("none");
    } finally {
      await peer.close();
    }
    mock.assertNoUnhandled();
  });
});
