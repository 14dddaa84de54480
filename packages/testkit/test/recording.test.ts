/** The testkit's recording side: which sessions record, the clip store's states and bounds, the fMP4 bytes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClipStore } from "../src/coordinator/clips.js";
import { type MockReactor, startMockReactor } from "../src/mock.js";
import { vp8InitSegment, vp8MediaSegment } from "../src/recording/fmp4.js";
import { api, createSession, deleteSession, token } from "./helpers/http.js";

const clipReady = {
  session_id: "s1",
  kind: "snap" as const,
  start_marker: 0,
  end_marker: 2,
  now_marker: 2,
  predicted_ready_at_ms: 0,
  playlist_url: "/clips?session_id=s1&start=0.000&end=2.000",
};

describe("clip store", () => {
  it("pending → ready → expired (410), only from the GPU that promised the clip", () => {
    let now = 1_000;
    const store = new ClipStore(() => now);
    try {
      store.onGpuMessage("gpu-2", "gpu-1", { type: "clipPending", sessionId: "s1", key: "k", clip: clipReady });
      expect(store.get("s1", "k")).toBeUndefined();
      store.onGpuMessage("gpu-1", "gpu-1", { type: "clipPending", sessionId: "s1", key: "k", clip: clipReady });
      expect(store.get("s1", "k")?.state).toBe("pending");
      const seg = Buffer.from("segment").toString("base64");
      store.onGpuMessage("gpu-2", "gpu-1", {
        type: "clipSegment",
        sessionId: "s1",
        key: "k",
        index: 0,
        durationS: 2,
        dataBase64: seg,
      });
      store.onGpuMessage("gpu-1", "gpu-1", {
        type: "clipSegment",
        sessionId: "s1",
        key: "k",
        index: 0,
        durationS: 2,
        dataBase64: seg,
      });
      const frames = { first: 0, last: 59, count: 60 };
      store.onGpuMessage("gpu-1", "gpu-1", {
        type: "clipDone",
        sessionId: "s1",
        key: "k",
        initBase64: "aW5pdA==",
        segments: 1,
        frames,
      });
      expect(store.get("s1", "k")).toMatchObject({ state: "ready", frames });
      expect(store.size).toBe("segment".length + "init".length);
      now += 31 * 60 * 1000;
      expect(store.get("s1", "k")).toMatchObject({ state: "gone", goneReason: "the clip expired" });
      expect(store.size).toBe(0);
    } finally {
      store.close();
    }
  });

  it("an incomplete delivery, a failed cut and a pending clip whose media never comes are gone", () => {
    let now = 0;
    const store = new ClipStore(() => now);
    try {
      for (const key of ["a", "b", "c"]) {
        store.onGpuMessage("g", "g", { type: "clipPending", sessionId: "s", key, clip: clipReady });
      }
      store.onGpuMessage("g", "g", {
        type: "clipDone",
        sessionId: "s",
        key: "a",
        initBase64: "",
        segments: 2,
        frames: { first: 0, last: 0, count: 0 },
      });
      store.onGpuMessage("g", "g", { type: "clipFailed", sessionId: "s", key: "b", reason: "no frames" });
      now += 6 * 60 * 1000;
      expect(["a", "b", "c"].map((k) => store.get("s", k)?.state)).toEqual(["gone", "gone", "gone"]);
      store.forgetSession("s");
      expect(store.get("s", "a")).toBeUndefined();
    } finally {
      store.close();
    }
  });
});

describe("fMP4 writer", () => {
  it("writes an init segment (ftyp, moov with a vp08 track and mvex) and moof+mdat segments", () => {
    const init = vp8InitSegment(320, 180, 2000);
    const text = Buffer.from(init).toString("latin1");
    expect(text.slice(4, 8)).toBe("ftyp");
    for (const box of [
      "moov",
      "mvhd",
      "trak",
      "tkhd",
      "mdia",
      "hdlr",
      "vide",
      "vp08",
      "vpcC",
      "mvex",
      "mehd",
      "trex",
    ]) {
      expect(text).toContain(box);
    }
    const seg = vp8MediaSegment(1, 0, [
      { data: Uint8Array.of(1, 2, 3), keyframe: true, duration: 3000 },
      { data: Uint8Array.of(4, 5), keyframe: false, duration: 3000 },
    ]);
    const view = new DataView(seg.buffer);
    const moofSize = view.getUint32(0);
    expect(Buffer.from(seg.subarray(4, 8)).toString()).toBe("moof");
    expect(Buffer.from(seg.subarray(moofSize + 4, moofSize + 8)).toString()).toBe("mdat");
    // The samples sit right after the mdat header, where trun's data offset points.
    expect([...seg.subarray(moofSize + 8)]).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("which sessions record", () => {
  let mock: MockReactor;
  let jwt: string;
  beforeAll(async () => {
    mock = await startMockReactor({ video: { width: 160, height: 120 } });
    jwt = await token(mock);
  });
  afterAll(async () => {
    await mock.close();
  });

  it("hosted sessions record by default; extra_args.recording overrides; a bad one is a 400; local mode does not", async () => {
    const hosted = await createSession(mock, jwt);
    expect(hosted.recording).toEqual({ enabled: true, chunk_seconds: 4 });
    await deleteSession(mock, jwt, hosted.session_id);
    const custom = await createSession(mock, jwt, { extraArgs: { recording: { enabled: true, chunk_seconds: 2 } } });
    expect(custom.recording).toEqual({ enabled: true, chunk_seconds: 2 });
    await deleteSession(mock, jwt, custom.session_id);
    const bad = await api(mock.url, "/sessions", {
      jwt,
      body: {
        model: { name: "echo" },
        client_info: { sdk_version: "1", sdk_type: "t" },
        supported_transports: [{ protocol: "webrtc", version: "1.0" }],
        extra_args: { recording: { chunk_seconds: 9999 } },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/extra_args\.recording\.chunk_seconds/);
    const local = await api(mock.url, "/start_session", { body: {} });
    expect(local.body.recording).toEqual({ enabled: false, chunk_seconds: 4 });
    await api(mock.url, "/stop_session", { method: "POST" });
  });

  it("the playlist route answers 400 for bad markers and 404 for unknown sessions or clips", async () => {
    const s = await createSession(mock, jwt);
    try {
      expect(
        (await api(mock.url, `/clips?session_id=${s.session_id}&start=x&end=1`, { jwt, noVersions: true })).status,
      ).toBe(400);
      expect(
        (await api(mock.url, `/clips?session_id=${s.session_id}&start=2&end=1`, { jwt, noVersions: true })).status,
      ).toBe(400);
      expect((await api(mock.url, "/clips?session_id=nope&start=0&end=1", { jwt, noVersions: true })).status).toBe(404);
      expect(
        (await api(mock.url, `/clips?session_id=${s.session_id}&start=0&end=1`, { jwt, noVersions: true })).status,
      ).toBe(404);
      // Hosted clips need the JWT.
      expect(
        (await api(mock.url, `/clips?session_id=${s.session_id}&start=0&end=1`, { noVersions: true })).status,
      ).toBe(401);
    } finally {
      await deleteSession(mock, jwt, s.session_id);
    }
  });
});
