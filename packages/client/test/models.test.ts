/** Model variations: an audio output track and a maximum session duration (`expires_at`). */
import { type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Reactor } from "../src/index.js";
import { framesSeen, record, until } from "./helpers.js";

let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({
    models: [{ name: "echo", audio: true, maxSessionSeconds: 600 }],
    video: { width: 160, height: 120, fps: 30 },
  });
});
afterAll(async () => {
  await mock?.close();
});

it("receives audio and video tracks and announces the session's maximum duration", async () => {
  await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
  const rec = record(reactor);
  const before = Date.now();
  await reactor.connect();
  const names = rec.of("track_received").map(([name]) => name);
  expect(names.sort()).toEqual(["main_audio", "main_video"]);
  const audio = reactor.track("main_audio");
  expect(audio.kind).toBe("audio");
  let packets = 0;
  audio.onRtp(() => packets++);
  await until(() => packets > 0, 10_000, "audio RTP");
  await framesSeen(reactor, 1); // the default video track is main_video, not the audio track

  const expirations = rec.of("session_expiration_changed").map(([at]) => at);
  expect(expirations).toHaveLength(1);
  expect(expirations[0]).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 599_000);
  expect(reactor.getSessionExpiration()).toBe(expirations[0]);
});
