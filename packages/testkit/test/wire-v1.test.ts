/**
 * The fake GPU peer on the v1 wire (docs/protocol.md §9): it latches each connection's encoding
 * from its first frame, answers every v1 command with a RESPONSE of its id, answers control
 * requests by id, and keeps speaking v0 to a v0 connection of the same session.
 */
import { FileRef, V1_CODEC } from "@reactor-node/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockReactor, startMockReactor } from "../src/mock.js";
import { createSession, deleteSession, token, waitReady } from "./helpers/http.js";
import { TestPeer } from "./helpers/peer.js";

describe("the v1 wire", () => {
  let mock: MockReactor;
  let jwt: string;
  beforeAll(async () => {
    mock = await startMockReactor({ video: { width: 160, height: 120, fps: 30 } });
    jwt = await token(mock);
  });
  afterAll(async () => {
    await mock.close();
  });

  it("answers every command and control request by id; a v0 connection in the same session gets v0", async () => {
    mock.history.clear();
    const { session } = await waitReady(mock, jwt, (await createSession(mock, jwt)).session_id);
    const v1 = await TestPeer.connect(mock, jwt, session, { wire: "v1" });
    const v0 = await TestPeer.connect(mock, jwt, session, { wire: "v0" });
    try {
      // The schema request (sent on ready) is answered with its control id.
      expect(await v1.answer("ctrl_1")).toMatchObject({ kind: "runtime", type: "modelSchema", requestId: "ctrl_1" });

      const ok = v1.command("set_effect", { effect: "invert" });
      expect(await v1.answer(ok)).toEqual({
        kind: "model",
        type: "effect_changed",
        data: { effect: "invert", intensity: 1 },
        requestId: ok,
      });
      const bad = v1.command("set_intensity", { intensity: 1.5 });
      expect(await v1.answer(bad)).toEqual({
        kind: "response",
        channel: "data",
        requestId: bad,
        error: { code: "invalid_command", message: "intensity: 1.5 > maximum 1.0" },
      });
      const unknown = v1.command("no_such_command", {});
      expect(await v1.answer(unknown)).toMatchObject({
        error: { code: "invalid_command", message: "unknown command 'no_such_command'" },
      });
      const ref = new FileRef({ uploadId: "missing", name: "a.png", mimeType: "image/png", size: 3 });
      const unresolved = v1.command("set_overlay_image", { overlay_image: ref });
      expect(await v1.answer(unresolved)).toMatchObject({ error: { code: "unresolved_upload" } });

      // Control requests by id, on control.
      expect(await v1.request("publish_track", { name: "webcam" })).toMatchObject({
        kind: "response",
        channel: "control",
        method: "publish_track",
      });
      const refused = await v0.request("publish_track", { name: "webcam" });
      expect(refused.error?.code).toBe("publish_refused");
      const clip = "ctrl_10";
      // Hosted sessions record: the clip is promised, answered by id.
      v1.send({ kind: "runtime", type: "requestClip", data: { duration_seconds: 5 }, requestId: clip });
      expect(await v1.answer(clip)).toMatchObject({ kind: "runtime", type: "clipReady", requestId: clip });

      // The broadcast reaches both connections, each in its own wire, without an id on v1.
      await v0.until(() => v0.message("application", "state_changed"), "v0 broadcast");
      const broadcast = await v1.until(
        () => v1.messages.find((m) => "kind" in m && m.kind === "model" && m.type === "state_changed"),
        "v1 broadcast",
      );
      expect(broadcast).not.toHaveProperty("requestId");
      // v0 never sees command answers, only the model's reply.
      expect(v0.received.some((m: any) => m?.data?.type === "effect_changed")).toBe(false);

      // The history records each frame's wire and the decoded message, both directions.
      const frames = mock.history.dataChannel.filter((d) => d.connectionId === v1.connectionId);
      expect(frames.every((d) => d.wire === "v1" && d.text === null)).toBe(true);
      expect(frames.map((d) => d.message)).toContainEqual({
        kind: "command",
        type: "set_effect",
        data: { effect: "invert" },
        requestId: ok,
      });
      expect(frames.find((d) => d.direction === "out" && d.message?.kind === "response")?.message).toMatchObject({
        requestId: bad,
      });
      const v0Frames = mock.history.dataChannel.filter((d) => d.connectionId === v0.connectionId);
      expect(v0Frames.every((d) => d.wire === "v0")).toBe(true);
      expect(mock.history.commands.filter((c) => c.connectionId === v1.connectionId).map((c) => c.code)).toEqual([
        undefined,
        "invalid_command",
        "invalid_command",
        "unresolved_upload",
      ]);
      mock.assertNoUnhandled();
    } finally {
      await v1.close();
      await v0.close();
      await deleteSession(mock, jwt, session.session_id);
    }
  });

  it("latches on the first frame: a connection that switches encodings is recorded as unhandled, and keeps its wire", async () => {
    mock.history.clear();
    const { session } = await waitReady(mock, jwt, (await createSession(mock, jwt)).session_id);
    const v1 = await TestPeer.connect(mock, jwt, session, { wire: "v1" });
    const v0 = await TestPeer.connect(mock, jwt, session, { wire: "v0" });
    try {
      await v1.until(() => v1.video.frames > 0, "v1 video after resume_track (a v1 notification)");
      v1.sendRaw('{"scope":"application","data":{"type":"set_effect","data":{"effect":"sepia"}}}');
      // v0 bytes starting with `{` count as v0 too; a v1 frame on the v0 connection is refused the same way.
      v0.sendRaw(V1_CODEC.encodeClient({ kind: "runtime", type: "ping", data: {} }).payload as Uint8Array, "control");
      const unhandled = await mock.history.waitFor((h) => h.unhandled.length >= 2 && h.unhandled);
      expect(unhandled.map((u) => [u.connectionId, u.detail])).toEqual(
        expect.arrayContaining([
          [v1.connectionId, expect.stringMatching(/a v0 frame on 'data' after the connection latched v1/)],
          [v0.connectionId, expect.stringMatching(/a v1 frame on 'control' after the connection latched v0/)],
        ]),
      );
      // Neither frame was acted on; both connections still work in their own wire.
      const after = v1.command("set_effect", { effect: "grayscale" });
      expect(await v1.answer(after)).toMatchObject({
        kind: "model",
        type: "effect_changed",
        data: { effect: "grayscale" },
      });
      expect(mock.history.commands.map((c) => c.data)).not.toContainEqual({ effect: "sepia" });
      v0.command("set_effect", { effect: "invert" });
      await v0.until(() => v0.message("application", "effect_changed"), "v0 reply");
    } finally {
      await v1.close();
      await v0.close();
      await deleteSession(mock, jwt, session.session_id);
    }
  });
});
