/** The session-ready poll against a scripted server (schedule overridden so nothing sleeps long). */
import { afterEach, describe, expect, it } from "vitest";
import { Coordinator } from "../../src/http/coordinator.js";
import { waitForSessionReady } from "../../src/session/wait-ready.js";
import { sendJson, serve, type TestServer } from "./http-server.js";

const base = { session_id: "s1", cluster: "c", model: { name: "echo" }, server_info: { server_version: "1" } };
const caps = { protocol_version: "v0", tracks: [{ name: "main_video", kind: "video", direction: "recvonly" }] };
const ready = {
  ...base,
  state: "ACTIVE",
  capabilities: caps,
  selected_transport: { protocol: "webrtc", version: "1.0" },
};

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
});

async function script(responses: Array<[number, unknown]>): Promise<Coordinator> {
  let i = 0;
  server = await serve((_req, res) => {
    const [status, body] = responses[Math.min(i++, responses.length - 1)]!;
    sendJson(res, status, body, status === 503 ? { "Retry-After": "0" } : {});
  });
  return new Coordinator({ baseUrl: server.url, local: false });
}

const fast = () => 1;

describe("waitForSessionReady", () => {
  it("polls through CREATED/PENDING/WAITING and 5xx until capabilities AND selected_transport", async () => {
    const coordinator = await script([
      [200, { ...base, state: "PENDING" }],
      [503, { detail: "busy" }],
      [200, { ...base, state: "WAITING", capabilities: caps }], // capabilities alone are not ready
      [200, ready],
    ]);
    const seen: string[] = [];
    const session = await waitForSessionReady(coordinator, "s1", {
      delayMs: fast,
      onUpdate: (s) => seen.push(s.state),
    });
    expect(session.capabilities?.tracks[0]?.name).toBe("main_video");
    expect(seen).toEqual(["PENDING", "WAITING", "ACTIVE"]);
    expect(server!.requests).toHaveLength(4);
  });

  it.each(["INACTIVE", "CLOSED", "closed"])("%s while waiting is terminal (SESSION_TERMINAL)", async (state) => {
    const coordinator = await script([[200, { ...base, state }]]);
    await expect(waitForSessionReady(coordinator, "s1", { delayMs: fast })).rejects.toMatchObject({
      code: "SESSION_TERMINAL",
      recoverable: false,
    });
  });

  it("after a drop INACTIVE is reconnectable, CLOSED is not", async () => {
    const coordinator = await script([[200, { ...ready, state: "INACTIVE" }]]);
    await expect(waitForSessionReady(coordinator, "s1", { delayMs: fast, allowInactive: true })).resolves.toMatchObject(
      {
        state: "INACTIVE",
      },
    );
  });

  it("a transport other than webrtc is UNSUPPORTED_TRANSPORT", async () => {
    const coordinator = await script([
      [200, { ...ready, selected_transport: { protocol: "websocket", version: "1" } }],
    ]);
    await expect(waitForSessionReady(coordinator, "s1", { delayMs: fast })).rejects.toMatchObject({
      code: "UNSUPPORTED_TRANSPORT",
    });
  });

  it("non-recoverable HTTP errors end the wait at once; a spent budget is TIMEOUT", async () => {
    const unauthorized = await script([[401, { detail: "no" }]]);
    await expect(waitForSessionReady(unauthorized, "s1", { delayMs: fast })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect(server!.requests).toHaveLength(1);
    await server!.close();
    const never = await script([[200, { ...base, state: "WAITING" }]]);
    await expect(
      waitForSessionReady(never, "s1", { delayMs: (attempt) => (attempt < 3 ? 1 : null) }),
    ).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(server!.requests).toHaveLength(4);
  });

  it("a malformed body is INVALID_RESPONSE (recoverable: polled again)", async () => {
    const coordinator = await script([
      [200, { session_id: "s1" }],
      [200, ready],
    ]);
    await expect(waitForSessionReady(coordinator, "s1", { delayMs: fast })).resolves.toMatchObject({ sessionId: "s1" });
  });
});
