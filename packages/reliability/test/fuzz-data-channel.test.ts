/**
 * Data-channel fuzz from a hostile peer, both directions, with the same seeded generator
 * (`fuzzFrames` from the testkit): random bytes, broken and 10 000-deep JSON, envelopes and
 * control messages with wrong fields, prototype keys, lone surrogates, empty and near-limit
 * messages.
 *
 * - hostile client → testkit GPU: a raw werift peer sends the frames on `control` and `data`;
 *   the mock must not crash (it runs in this process: an exception would fail the test), keep its
 *   history within its limits, and still answer a valid command on the same connection.
 * - hostile GPU → client: the testkit's `fuzz-messages` fault makes the GPU send the frames to a
 *   `Reactor`; the client must surface only typed ReactorErrors, stay ready and still complete a
 *   command round trip.
 */
import { Reactor } from "@reactor-node/client";
import { encodeCommand, isReactorError, type ReactorError } from "@reactor-node/protocol";
import { fuzzFrames, type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budget } from "../src/budget.js";
import { connectRawPeer, readySession } from "../src/raw-peer.js";

const FRAMES = budget(2000, 20_000);
const SEED = Number(process.env.RELIABILITY_SEED ?? 15);

let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ gpus: 2, video: { width: 96, height: 64, fps: 10 } });
});
afterAll(async () => {
  await mock?.close();
});

async function until(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("data-channel fuzz", () => {
  it(`hostile client → testkit GPU: ${FRAMES} frames, then the GPU still answers`, async () => {
    const { jwt, sessionId } = await readySession(mock.url, mock.apiKey);
    const peer = await connectRawPeer(mock.url, jwt, sessionId);
    const kinds = new Map<string, number>();
    try {
      const frames = fuzzFrames(SEED);
      for (let i = 0; i < FRAMES; i++) {
        while (peer.queued() > 512) await new Promise((r) => setTimeout(r, 10));
        const { channel, frame, kind } = frames.next().value!;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        peer.send(channel, frame);
      }
      await until(() => peer.queued() === 0, "the fuzz to leave");
      const before = peer.received.data.length;
      peer.send("data", encodeCommand("set_effect", { effect: "sepia" }));
      await until(
        () => peer.received.data.slice(before).some((m) => typeof m === "string" && m.includes("effect_changed")),
        "the reply after the fuzz",
      );
      // Every frame reaches the GPU and its record (the link reports them asynchronously).
      const inbound = () => mock.history.dataChannel.filter((d) => d.sessionId === sessionId && d.direction === "in");
      await mock.history.waitFor(() => inbound().length === FRAMES + 1 || undefined, { timeoutMs: 60_000 });
      const seen = inbound().length;
      const unhandled = mock.history.unhandled.filter((u) => u.sessionId === sessionId).length;
      const commands = mock.history.commands.filter((c) => c.sessionId === sessionId);
      console.log(
        `[fuzz] client→GPU: ${FRAMES} frames (${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")}); ` +
          `GPU recorded ${seen} (with the final command), ` +
          `${unhandled} unhandled, ${commands.length} commands judged (${commands.filter((c) => c.ok).length} ok); ` +
          `history ${(mock.history.bytes / 1024 / 1024).toFixed(1)} MiB`,
      );
      expect(mock.history.bytes).toBeLessThanOrEqual(32 * 1024 * 1024);
      expect((await fetch(`${mock.url}/health`)).status).toBe(200);
    } finally {
      await peer.close();
    }
  });

  it(`hostile GPU → client: ${FRAMES} frames, then the client is still ready and works`, async () => {
    await using reactor = new Reactor({
      modelName: "echo",
      apiKey: mock.apiKey,
      apiUrl: mock.url,
      extraArgs: { testkit: { fault: "fuzz-messages", count: FRAMES, seed: SEED, after: 0.2 } },
    });
    const errors: ReactorError[] = [];
    const notReactorErrors: unknown[] = [];
    let messages = 0;
    reactor.on("error", (e) => (isReactorError(e) ? errors.push(e) : notReactorErrors.push(e)));
    reactor.on("message", () => messages++);
    reactor.on("runtime_message", () => messages++);
    await reactor.connect();
    const sessionId = reactor.getSessionId();
    const sent = await mock.history.waitFor(
      (h) => h.events.find((e) => e.type === "fuzz_sent" && e.sessionId === sessionId),
      { timeoutMs: 180_000 },
    );
    // Everything sent has arrived once the GPU's own paced queue is empty and a round trip passes.
    const reply = new Promise<void>((resolve) => {
      const off = reactor.on("message", (m) => {
        if (m.type === "effect_changed") {
          off();
          resolve();
        }
      });
    });
    await reactor.sendCommand("set_effect", { effect: "invert" });
    await reply;
    expect(reactor.getStatus()).toBe("ready");
    const codes = new Map<string, number>();
    for (const e of errors) codes.set(String(e.code), (codes.get(String(e.code)) ?? 0) + 1);
    console.log(
      `[fuzz] GPU→client: ${JSON.stringify(sent.detail)} frames; the client emitted ${messages} messages and ` +
        `${errors.length} typed errors (${[...codes].map(([c, n]) => `${c} ${n}`).join(", ") || "none"}), ` +
        `${notReactorErrors.length} other errors; still ready`,
    );
    expect(notReactorErrors).toEqual([]);
    expect((sent.detail as { sent: number }).sent).toBe(FRAMES);
    await reactor.disconnect();
  });
});
