/** Local mode (§8): runtime routes, no auth, full descriptor at once, stop on disconnect. */
import { LOCAL_SESSION_ID } from "@reactor-node/protocol";
import { type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Reactor } from "../src/index.js";
import { framesSeen, nextEvent, record } from "./helpers.js";

let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ video: { width: 160, height: 120, fps: 30 } });
});
afterAll(async () => {
  await mock?.close();
});

it("connects with POST /start_session, sends no auth, and stops the session on disconnect", async () => {
  mock.history.clear();
  await using reactor = new Reactor({ modelName: "echo", local: true, apiUrl: mock.url });
  const rec = record(reactor);
  await reactor.connect();
  expect(rec.statuses).toEqual(["connecting", "waiting", "ready"]);
  expect(reactor.getSessionId()).toBe(LOCAL_SESSION_ID);
  await framesSeen(reactor, 1);
  const reply = nextEvent(reactor, "message", (m) => m.type === "effect_changed");
  await reactor.sendCommand("set_effect", { effect: "pixelate" });
  await reply;
  await reactor.disconnect();

  const http = mock.history.http;
  expect(http[0]).toMatchObject({ method: "POST", path: "/start_session" });
  expect(http.some((c) => c.path === "/tokens" || c.path === "/sessions")).toBe(false);
  expect(http.every((c) => c.headers.authorization === undefined)).toBe(true);
  // The descriptor is complete at once: no session polling.
  expect(http.some((c) => c.method === "GET" && c.path === "/session")).toBe(false);
  expect(http.at(-1)).toMatchObject({ method: "POST", path: "/stop_session" });
  expect(http.at(-1)?.status).toBeLessThan(300);
  mock.assertNoUnhandled();
});
