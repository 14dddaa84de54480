/**
 * The client and the testkit on each wire, checked against the golden vectors and the runtime's
 * captured data-channel exchange: the captured command gets the captured reply, every frame
 * either side sends is in the connection's wire, decodes, and is a message the golden vectors
 * catalogue, and nothing is left unhandled. A failing test here is a breaking change.
 */
import { Reactor } from "@reactor-node/client";
import {
  type ClientMessage,
  type ServerMessage,
  V0_CODEC,
  V1_CODEC,
  WIRE_NAMES,
  type WireCodec,
  type WireName,
} from "@reactor-node/protocol";
import { type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, readVector, v0Vectors, v1Vectors } from "./vectors.js";

/** What identifies a catalogue message, whatever its model-specific content. */
function shape(direction: "in" | "out", message: ClientMessage | ServerMessage): string {
  const m = message as Record<string, unknown>;
  const name =
    m.kind === "runtime" ? m.type : m.kind === "request" ? m.method : m.kind === "notification" ? m.event : "";
  const answer = m.kind === "response" ? `${m.channel} ${m.error ? "error" : (m.method ?? "ack")}` : "";
  return [direction, m.kind, name, answer, m.requestId !== undefined ? "(id)" : ""].filter(Boolean).join(" ");
}

/** The shapes the golden vectors of `codec`'s wire hold. */
function catalogue(codec: WireCodec): Set<string> {
  const vectors =
    codec.name === "v0"
      ? v0Vectors.map((v) => ({ direction: v.direction, channel: v.channel, frame: v.wire as unknown }))
      : v1Vectors.vectors.map((v) => ({
          direction: v.direction,
          channel: v.channel,
          frame: fromHex(v.hex) as unknown,
        }));
  const shapes = new Set<string>();
  for (const v of vectors) {
    const inbound = v.direction === "client_to_server";
    const decoded = inbound ? codec.decodeClient(v.channel, v.frame) : codec.decodeServer(v.channel, v.frame);
    if (decoded.ok) shapes.add(shape(inbound ? "in" : "out", decoded.message));
  }
  return shapes;
}

const captured = readVector("runtime/echo.data_channel.json") as {
  command_sent_on_data_channel: { scope: string; data: { type: string; data: Record<string, unknown> } };
  data_channel_messages_received: Array<{ scope: string; data: { type: string; data: unknown } }>;
};

let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ video: { width: 160, height: 120, fps: 15 } });
});
afterAll(async () => {
  await mock?.close();
});

describe.each(WIRE_NAMES)("the client and the testkit on the %s wire", (wire: WireName) => {
  it("exchange the runtime's captured command and reply, and only catalogue messages", async () => {
    mock.history.clear();
    await using reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire });
    await reactor.connect();
    const sessionId = reactor.getSessionId();

    // The captured exchange: the runtime's echo answered set_effect with this message.
    const { type, data } = captured.command_sent_on_data_channel.data;
    const replyEvent = new Promise<unknown>((resolve) => {
      const off = reactor.on("message", (m) => {
        if (m.type !== captured.data_channel_messages_received[0]!.data.type) return;
        off();
        resolve(m);
      });
    });
    const answer = await reactor.sendCommand(type, data);
    const expectedReply = captured.data_channel_messages_received[0]!.data;
    expect(await replyEvent).toEqual(expectedReply);
    expect(answer).toEqual(wire === "v1" ? expectedReply : undefined);

    // The rest of the catalogue a session uses: an upload and the command using it, pause and
    // resume, publishing, a clip request, a model message broadcast.
    const image = await reactor.uploadFile(Uint8Array.of(137, 80, 78, 71), { name: "a.png" });
    await reactor.sendCommand("set_overlay_image", { overlay_image: image });
    reactor.track("main_video").pause();
    reactor.track("main_video").resume();
    const webcam = await reactor.track("webcam").publish();
    await webcam.unpublish();
    await reactor.requestClip(1).catch(() => undefined);

    const frames = await mock.history.waitFor((h) => {
      const mine = h.dataChannel.filter((d) => d.sessionId === sessionId);
      return (
        mine.some(
          (d) => d.direction === "in" && d.message?.kind === "notification" && d.message.event === "unpublish_track",
        ) && mine
      );
    });
    // The captured command frame, as the runtime received it (v0) or as its v1 twin.
    const command = frames.find(
      (d) => d.direction === "in" && d.message?.kind === "command" && d.message.type === type,
    );
    if (wire === "v0") expect(command?.decoded).toEqual(captured.command_sent_on_data_channel);
    else {
      const twin = v1Vectors.vectors.find(
        (v) => v.twin === "command without uploads (captured from the runtime's echo model)",
      )!;
      expect(command?.message).toEqual({ ...twin.decoded, requestId: expect.stringMatching(/^data_\d+$/) });
    }
    const known = catalogue(wire === "v0" ? V0_CODEC : V1_CODEC);
    for (const d of frames) {
      expect(d.wire, `${d.direction} ${d.channel} frame`).toBe(wire);
      expect(
        d.message,
        `${d.direction} ${d.channel} frame decodes: ${d.text ?? `${d.binaryBytes} bytes`}`,
      ).toBeDefined();
      expect(known, `a golden ${wire} vector of the shape '${shape(d.direction, d.message!)}'`).toContain(
        shape(d.direction, d.message!),
      );
    }
    await reactor.disconnect();
    mock.assertNoUnhandled();
  });
});
