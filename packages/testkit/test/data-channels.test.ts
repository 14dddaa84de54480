import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockReactor, startMockReactor } from "../src/mock.js";
import { api, createSession, deleteSession, token, waitReady } from "./helpers/http.js";
import { TestPeer } from "./helpers/peer.js";

describe("commands, uploads and multiple connections", () => {
  let mock: MockReactor;
  let jwt: string;
  beforeAll(async () => {
    mock = await startMockReactor();
    jwt = await token(mock);
  });
  afterAll(async () => {
    await mock.close();
  });

  it("valid commands change the state and reply to the sender; invalid ones are recorded, never answered", async () => {
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const peer = await TestPeer.connect(mock, jwt, session, { decode: true });
    try {
      peer.command("set_intensity", { intensity: 1.5 });
      peer.command("set_effect", { effect: "sparkle" });
      peer.command("no_such_command", {});
      peer.command("set_caption", { caption: "x".repeat(201) });
      peer.command("set_effect", { effect: "invert" });
      const reply = await peer.until(() => peer.message("application", "effect_changed"), "effect_changed");
      expect(reply.data.data).toEqual({ effect: "invert", intensity: 1 });
      const records = await mock.history.waitFor((h) => {
        const mine = h.commands.filter((c) => c.sessionId === session.session_id);
        return mine.length >= 5 && mine;
      });
      expect(records.filter((r) => !r.ok).map((r) => [r.type, r.code, r.reason])).toEqual([
        ["set_intensity", "invalid_command", "intensity: 1.5 > maximum 1.0"],
        ["set_effect", "invalid_command", expect.stringContaining("is not one of")],
        ["no_such_command", "invalid_command", "unknown command 'no_such_command'"],
        ["set_caption", "invalid_command", "caption: length 201 > maxLength 200"],
      ]);
      // Only the valid command produced a reply (plus its state_changed broadcast).
      const app = peer.received.filter((m: any) => m?.scope === "application").map((m: any) => m.data.type);
      expect(app).toEqual(["effect_changed", "state_changed"]);
      // The picture shows the new effect.
      await peer.until(() => peer.lastReading?.state.effect === "invert", "inverted picture", 20_000);
    } finally {
      await peer.close();
      await deleteSession(mock, jwt, session.session_id);
    }
  });

  it("uploads end to end: slot → PUT → fileUploaded → command using it → reply", async () => {
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const sid = session.session_id;
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3, 4]);
    const slot = await api(mock.url, `/sessions/${sid}/uploads`, {
      jwt,
      body: { name: "overlay.png", size: bytes.length, mime_type: "image/png" },
    });
    expect(slot.status).toBe(201);
    expect(slot.body.path).toBe(`sessions/${sid}/uploads/${slot.body.presigned_id}/overlay.png`);
    const short = await fetch(slot.body.presigned_url, { method: "PUT", body: bytes.slice(0, 3) });
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual({ detail: "expected 8 bytes, got 3" });
    const put = await fetch(slot.body.presigned_url, { method: "PUT", body: bytes });
    expect(put.status).toBe(200);
    const again = await fetch(slot.body.presigned_url, { method: "PUT", body: bytes });
    expect(again.status).toBe(409);
    expect((await fetch(`${mock.url}/uploads/nope`, { method: "PUT", body: bytes })).status).toBe(404);

    const peer = await TestPeer.connect(mock, jwt, session);
    try {
      const ref = {
        upload_id: slot.body.presigned_id,
        name: "overlay.png",
        mime_type: "image/png",
        size: bytes.length,
      };
      peer.sendRaw(JSON.stringify({ scope: "runtime", data: { type: "fileUploaded", data: ref } }));
      peer.sendRaw(
        JSON.stringify({
          scope: "application",
          data: { type: "set_overlay_image", data: { overlay_strength: 0.8 }, uploads: { overlay_image: ref } },
        }),
      );
      const reply = await peer.until(() => peer.message("application", "overlay_changed"), "overlay_changed");
      expect(reply.data.data).toEqual({ name: "overlay.png", size: 8, overlay_strength: 0.8 });
      const uploaded = await mock.history.waitFor((h) =>
        h.events.find((e) => e.type === "file_uploaded" && e.sessionId === sid),
      );
      expect(uploaded.detail).toEqual(ref);
      // An upload that never completes is unresolved (after the 10 s budget) — checked with an unknown id, which fails at once.
      peer.sendRaw(
        JSON.stringify({
          scope: "application",
          data: { type: "set_overlay_image", data: {}, uploads: { overlay_image: { ...ref, upload_id: "missing" } } },
        }),
      );
      const failed = await mock.history.waitFor((h) => h.commands.find((c) => c.code === "unresolved_upload"));
      expect(failed.type).toBe("set_overlay_image");
    } finally {
      await peer.close();
      await deleteSession(mock, jwt, session.session_id);
    }
  });

  it("a second client adopts the session; broadcasts reach both, replies only the sender; second publisher refused", async () => {
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const a = await TestPeer.connect(mock, jwt, session);
    const b = await TestPeer.connect(mock, jwt, session);
    try {
      expect(a.connectionId).not.toBe(b.connectionId);
      for (const id of [a.connectionId, b.connectionId]) {
        expect(id).toBeGreaterThanOrEqual(1002);
        expect(id).toBeLessThanOrEqual(9999);
      }
      const first = await a.request("publish_track", { name: "webcam" });
      expect(first.error).toBeUndefined();
      const second = await b.request("publish_track", { name: "webcam" });
      expect(second.error?.code).toBe("publish_refused");
      const bogus = await a.request("publish_track", { name: "main_video" });
      expect(bogus.error?.code).toBe("publish_refused");

      a.command("set_effect", { effect: "sepia" });
      await b.until(() => b.message("application", "state_changed"), "broadcast on b");
      await a.until(() => a.message("application", "effect_changed"), "reply on a");
      expect(b.message("application", "effect_changed")).toBeUndefined();
      await a.until(() => a.video.frames > 5 && b.video.frames > 5, "frames on both");

      // a unpublishes; b may now publish.
      a.sendRaw(
        JSON.stringify({ type: "notification", event: "unpublish_track", data: { name: "webcam" } }),
        "control",
      );
      await new Promise((r) => setTimeout(r, 100));
      const retry = await b.request("publish_track", { name: "webcam" });
      expect(retry.error).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
      await deleteSession(mock, jwt, session.session_id);
    }
    mock.assertNoUnhandled();
  });

  it("output tracks start paused until resume_track; legacy connections flow at once", async () => {
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const paused = await TestPeer.connect(mock, jwt, session, { resume: false });
    try {
      await new Promise((r) => setTimeout(r, 700));
      expect(paused.video.packets).toBe(0);
      paused.sendRaw(
        JSON.stringify({ type: "notification", event: "resume_track", data: { name: "main_video" } }),
        "control",
      );
      await paused.until(() => paused.video.keyframes > 0, "first keyframe after resume");
      paused.sendRaw(
        JSON.stringify({ type: "notification", event: "pause_track", data: { name: "main_video" } }),
        "control",
      );
      await new Promise((r) => setTimeout(r, 300));
      const frozen = paused.video.frames;
      await new Promise((r) => setTimeout(r, 400));
      expect(paused.video.frames).toBe(frozen);
    } finally {
      await paused.close();
      await deleteSession(mock, jwt, session.session_id);
    }

    const legacySession = await waitReady(mock, jwt, (await createSession(mock, jwt)).session_id);
    // Candidates trickled on T/ice_candidates before the offer (as the official JS SDK may).
    const legacy = await TestPeer.connect(mock, jwt, legacySession.session, {
      legacy: true,
      decode: true,
      candidatesFirst: true,
    });
    try {
      expect(legacy.control).toBeUndefined();
      await legacy.until(() => legacy.video.numbers.length >= 5, "legacy frames without resume");
      legacy.command("set_effect", { effect: "grayscale" });
      await legacy.until(() => legacy.message("application", "effect_changed"), "legacy reply");
      expect(mock.session(legacySession.session.session_id)?.connections).toEqual([
        { id: 1001, legacy: true, status: "connected" },
      ]);
    } finally {
      await legacy.close();
      await deleteSession(mock, jwt, legacySession.session.session_id);
    }
  });
});
