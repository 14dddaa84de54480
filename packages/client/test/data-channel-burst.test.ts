/**
 * werift ↔ werift data channels under bursts (issue 15 item 14): werift stalls when handed
 * thousands of small messages at once and cannot send an empty string. DataChannels paces its
 * sends and sends empty messages as RFC 8831 wants; these tests use two real werift peers in
 * one process, and the Reactor against the testkit GPU (whose sends are paced the same way).
 */
import {
  DATA_CHANNEL_SEND_QUEUE_MAX_MESSAGES,
  isReactorError,
  PacedSender,
  type ReactorError,
} from "@reactor-node/protocol";
import { type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RTCDataChannel, RTCPeerConnection } from "werift";
import { Reactor } from "../src/reactor.js";
import { DataChannels } from "../src/transport/channels.js";

const LIMIT = 256 * 1024;

interface Side {
  pc: RTCPeerConnection;
  channels: DataChannels;
  received: Record<"control" | "data", Array<string | Buffer>>;
  failures: ReactorError[];
}

async function until(check: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Two werift peers in this process, `control` + `data` wrapped in DataChannels on both ends. */
async function pair(): Promise<[Side, Side, () => Promise<void>]> {
  const a = new RTCPeerConnection({ iceUseIpv6: false });
  const b = new RTCPeerConnection({ iceUseIpv6: false });
  a.onIceCandidate.subscribe((c) => c && void b.addIceCandidate(c));
  b.onIceCandidate.subscribe((c) => c && void a.addIceCandidate(c));
  const aControl = a.createDataChannel("control");
  const aData = a.createDataChannel("data");
  const remote = new Map<string, RTCDataChannel>();
  b.onDataChannel.subscribe((ch) => remote.set(ch.label, ch));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  await until(() => aControl.readyState === "open" && aData.readyState === "open" && remote.size === 2, "channels");
  const side = (pc: RTCPeerConnection, control: RTCDataChannel, data: RTCDataChannel): Side => {
    const s: Side = { pc, channels: undefined as never, received: { control: [], data: [] }, failures: [] };
    s.channels = new DataChannels(control, data, {
      onFrame: (label, frame) => s.received[label].push(frame),
      onStateChange: () => {},
      onSendFailed: (_label, error) => s.failures.push(error),
    });
    return s;
  };
  const left = side(a, aControl, aData);
  const right = side(b, remote.get("control")!, remote.get("data")!);
  return [
    left,
    right,
    async () => {
      left.channels.close();
      right.channels.close();
      await Promise.all([a.close(), b.close()]);
    },
  ];
}

describe("DataChannels over real werift peers", () => {
  it("a burst of 2 000 × 60 B arrives complete and in order, both directions at once", {
    timeout: 120_000,
  }, async () => {
    const [left, right, close] = await pair();
    try {
      const burst = (tag: string) => Array.from({ length: 2000 }, (_, i) => `${tag}${i}:`.padEnd(60, "x"));
      for (const m of burst("L")) left.channels.send("data", m, LIMIT);
      for (const m of burst("R")) right.channels.send("data", m, LIMIT);
      await until(() => right.received.data.length === 2000 && left.received.data.length === 2000, "both bursts");
      expect(right.received.data).toEqual(burst("L"));
      expect(left.received.data).toEqual(burst("R"));
      expect([...left.failures, ...right.failures]).toEqual([]);
    } finally {
      await close();
    }
  });

  it("an empty string (and empty binary) is delivered in order and later messages keep flowing", async () => {
    const [left, right, close] = await pair();
    try {
      for (const m of ["before", "", "after 1", new Uint8Array(0), "after 2"]) left.channels.send("control", m, LIMIT);
      await until(() => right.received.control.length === 5, "five messages");
      expect(right.received.control.map((m) => (typeof m === "string" ? m : `<${m.length} bytes>`))).toEqual([
        "before",
        "",
        "after 1",
        "<0 bytes>",
        "after 2",
      ]);
    } finally {
      await close();
    }
  });

  it("a full outbound queue is a typed SEND_QUEUE_FULL error; nothing accepted is lost", async () => {
    const [left, right, close] = await pair();
    try {
      // The protocol's PacedSender (what DataChannels sends through) with a small bound, on a raw
      // werift channel; DataChannels' own bound is DATA_CHANNEL_SEND_QUEUE_MAX_MESSAGES.
      const channel = (left.channels as unknown as { channels: Record<string, RTCDataChannel> }).channels.data!;
      const paced = new PacedSender(channel, { label: "data", maxQueuedMessages: 64 });
      let accepted = 0;
      let refusal: unknown;
      for (let i = 0; i < 500; i++) {
        try {
          paced.send(`m${i}`);
          accepted++;
        } catch (error) {
          refusal = error;
          break;
        }
      }
      expect(isReactorError(refusal) && refusal.code).toBe("SEND_QUEUE_FULL");
      expect((refusal as ReactorError).recoverable).toBe(true);
      expect(accepted).toBeGreaterThanOrEqual(64);
      await until(() => right.received.data.length === accepted, "every accepted message");
      expect(right.received.data).toEqual(Array.from({ length: accepted }, (_, i) => `m${i}`));
      // Drained: sending works again.
      paced.send("again");
      await until(() => right.received.data.at(-1) === "again", "the next message");
      paced.close();
      expect(() => paced.send("late")).toThrow(expect.objectContaining({ code: "DATA_CHANNEL_CLOSED" }));
      expect(DATA_CHANNEL_SEND_QUEUE_MAX_MESSAGES).toBeGreaterThanOrEqual(2000);
    } finally {
      await close();
    }
  });
});

describe("a command burst against the testkit GPU (paced both ways)", () => {
  let mock: MockReactor;
  beforeAll(async () => {
    mock = await startMockReactor({ video: { width: 160, height: 96, fps: 10 } });
  });
  afterAll(async () => {
    await mock?.close();
  });

  it("2 000 commands sent back to back: every one reaches the GPU, every reply comes back", {
    timeout: 120_000,
  }, async () => {
    // v0, where sendCommand resolves once queued: this burst measures the pacing, not answer
    // times (on v1 each command waits for its own answer; commands.test.ts bursts those).
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire: "v0" });
    await reactor.connect();
    const replies: number[] = [];
    reactor.on("message", (m) => {
      if (m.type === "effect_changed") replies.push((m.data as { intensity: number }).intensity);
    });
    const count = 2000;
    const sent = [];
    for (let i = 0; i < count; i++) sent.push(reactor.sendCommand("set_intensity", { intensity: i / count }));
    await Promise.all(sent);
    await until(() => replies.length === count, `${count} replies (have ${replies.length})`, 60_000);
    expect(replies).toEqual(Array.from({ length: count }, (_, i) => i / count));
    const sessionId = reactor.getSessionId();
    expect(mock.history.commands.filter((c) => c.sessionId === sessionId && c.ok)).toHaveLength(count);
    await reactor.disconnect();
  });
});
