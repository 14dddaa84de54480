/**
 * A hostile client peer: plain fetch signalling and a werift peer connection with `control` +
 * `data` and no media, nothing of the client library. What it sends is entirely up to the test;
 * its sends go through the protocol's PacedSender so that werift's own burst stall (issue 15
 * item 14) does not slow the fuzz down.
 */
import {
  API_VERSION,
  CLIENT_INFO,
  emptyMessageSender,
  type OutboundMessage,
  PacedSender,
  WEBRTC_VERSION,
} from "@reactor-node/protocol";
import { type RTCDataChannel, RTCPeerConnection } from "werift";

/** A connected hostile peer. */
export interface RawPeer {
  readonly pc: RTCPeerConnection;
  readonly received: Record<"control" | "data", Array<string | Buffer>>;
  /** Sends a frame on a channel (paced; empty messages as RFC 8831 wants). */
  send(channel: "control" | "data", frame: OutboundMessage): void;
  /** Messages still waiting in the peer's own send queues. */
  queued(): number;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: the answers are read loosely, like a hostile client would
type Loose = any;

async function call(
  url: string,
  jwt: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; body: Loose }> {
  const res = await fetch(url, {
    method,
    headers: {
      "Reactor-API-Version": API_VERSION,
      "Reactor-API-Accept-Version": API_VERSION,
      "Reactor-WebRTC-Version": WEBRTC_VERSION,
      Authorization: `Bearer ${jwt}`,
      ...(body !== undefined && { "Content-Type": "application/json" }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `POST /tokens`, then `POST /sessions` polled until ACTIVE; returns the JWT and the session id. */
export async function readySession(apiUrl: string, apiKey: string): Promise<{ jwt: string; sessionId: string }> {
  const token = await fetch(`${apiUrl}/tokens`, { method: "POST", headers: { "Reactor-API-Key": apiKey } });
  const { jwt } = (await token.json()) as { jwt: string };
  const created = await call(`${apiUrl}/sessions`, jwt, "POST", {
    model: { name: "echo" },
    client_info: { ...CLIENT_INFO },
    supported_transports: [{ protocol: "webrtc", version: WEBRTC_VERSION }],
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const sessionId = created.body.session_id as string;
  for (;;) {
    const polled = await call(`${apiUrl}/sessions/${sessionId}`, jwt, "GET");
    if (polled.body?.state === "ACTIVE" && polled.body.capabilities) return { jwt, sessionId };
    if (polled.status !== 200 || polled.body?.state === "CLOSED") throw new Error(`session ${polled.body?.state}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Registers a connection on `sessionId` (ACTIVE), offers, trickles, polls the answer, waits for both channels. */
export async function connectRawPeer(apiUrl: string, jwt: string, sessionId: string): Promise<RawPeer> {
  const T = `${apiUrl}/sessions/${sessionId}/transport/webrtc`;
  const pc = new RTCPeerConnection({ iceUseIpv6: false, maxMessageSize: 1024 * 1024 });
  const received: RawPeer["received"] = { control: [], data: [] };
  const channels: Record<"control" | "data", RTCDataChannel> = {
    control: pc.createDataChannel("control"),
    data: pc.createDataChannel("data"),
  };
  for (const label of ["control", "data"] as const) channels[label].onMessage.subscribe((m) => received[label].push(m));
  const candidates: Array<{ candidate: string; sdp_mid: string; sdp_mline_index: number }> = [];
  pc.onIceCandidate.subscribe((c) => {
    if (c?.candidate)
      candidates.push({ candidate: c.candidate, sdp_mid: c.sdpMid ?? "0", sdp_mline_index: c.sdpMLineIndex ?? 0 });
  });
  const registered = await call(`${T}/connections`, jwt, "POST");
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  const C = `${T}/connections/${registered.body.connection_id}`;
  await pc.setLocalDescription(await pc.createOffer());
  await until(() => pc.iceGatheringState === "complete", "ICE gathering");
  const offered = await call(`${C}/sdp_params`, jwt, "POST", {
    sdp_offer: pc.localDescription!.sdp,
    client_info: { ...CLIENT_INFO },
    track_mapping: [],
  });
  if (offered.status !== 202) throw new Error(`offer: ${offered.status} ${JSON.stringify(offered.body)}`);
  await call(`${C}/ice_candidates`, jwt, "POST", { candidates, is_final: true });
  for (let answer = await call(`${C}/sdp_params`, jwt, "GET"); ; answer = await call(`${C}/sdp_params`, jwt, "GET")) {
    if (answer.status === 200) {
      await pc.setRemoteDescription({ type: "answer", sdp: answer.body.sdp_answer });
      break;
    }
    if (answer.status !== 202) throw new Error(`answer: ${answer.status} ${JSON.stringify(answer.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await until(
    () => channels.control.readyState === "open" && channels.data.readyState === "open",
    "both channels open",
  );
  const senders = {
    control: pacedSender(channels.control),
    data: pacedSender(channels.data),
  };
  return {
    pc,
    received,
    send: (channel, frame) => senders[channel].send(frame),
    queued: () => senders.control.queued + senders.data.queued,
    async close() {
      senders.control.close();
      senders.data.close();
      await pc.close();
    },
  };
}

function pacedSender(channel: RTCDataChannel): PacedSender {
  const sendEmpty = emptyMessageSender(channel, () => {});
  return new PacedSender(channel, { label: channel.label, ...(sendEmpty && { sendEmpty }) });
}
