/**
 * A real werift client speaking the protocol to the mock, written in the test (no client
 * library): registers a connection, offers `control` + `data` + one transceiver per capability
 * track, trickles candidates, polls the answer, resumes tracks, and counts/decodes VP8 frames.
 */
import {
  type CapabilitiesWire,
  CLIENT_INFO,
  type ClientMessage,
  decodeControlFrame,
  isVp8Keyframe,
  rtpCodecs,
  type ServerMessage,
  type SessionResponseWire,
  type WireCodec,
  type WireName,
  wireCodec,
} from "@reactor-node/protocol";
import { type RTCDataChannel, RTCPeerConnection, RTCRtpCodecParameters, Vp8RtpPayload } from "werift";
import type { MockReactor } from "../../src/mock.js";
import { createPatternDecoder, type PatternDecoder } from "./decoder.js";
import { api } from "./http.js";

export interface PeerOptions {
  /** The data-channel encoding it speaks (default v0, as the official JS SDK). */
  wire?: WireName;
  /** Legacy single-connection signalling (no connection id, no control channel). */
  legacy?: boolean;
  /** Send resume_track for every output track once ready (default true). */
  resume?: boolean;
  /** Decode frames and read the pattern (default false). */
  decode?: boolean;
  /** POST the candidates before the offer (tests the server's buffering). */
  candidatesFirst?: boolean;
  /** Do not wait for readiness. */
  noWait?: boolean;
  headers?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Give up polling the answer after this long (default 15 s). */
  answerTimeoutMs?: number;
  /** Re-offer (PUT) on this already registered connection id instead of registering one. */
  reoffer?: number;
}

export interface VideoStats {
  frames: number;
  keyframes: number;
  packets: number;
  maxPayload: number;
  /** Embedded frame numbers of decoded pictures (when decoding). */
  numbers: number[];
  sizes: string[];
  firstFrameAt?: number;
  undecodable: number;
}

function transportPath(sid: string) {
  return `/sessions/${sid}/transport/webrtc`;
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export class TestPeer {
  readonly pc: RTCPeerConnection;
  control?: RTCDataChannel;
  data!: RTCDataChannel;
  connectionId = 0;
  /** Decoded inbound `data` messages (JSON) or raw strings. */
  readonly received: unknown[] = [];
  readonly controlReceived: unknown[] = [];
  readonly video: VideoStats = {
    frames: 0,
    keyframes: 0,
    packets: 0,
    maxPayload: 0,
    numbers: [],
    sizes: [],
    undecodable: 0,
  };
  binaryFrames = 0;
  /** Every inbound frame as its wire's codec decodes it (undecodable ones as `{ error }`), both channels. */
  readonly messages: Array<ServerMessage | { error: string }> = [];
  private decoder?: PatternDecoder;
  private requestId = 1;
  private commandId = 1;
  private codec: WireCodec = wireCodec("v0");
  dataClosed = false;

  private constructor(
    readonly mock: MockReactor,
    readonly jwt: string,
    readonly sessionId: string,
    readonly caps: CapabilitiesWire,
  ) {
    this.pc = new RTCPeerConnection({
      codecs: rtpCodecs((codec) => new RTCRtpCodecParameters(codec)),
      iceUseIpv6: false,

      maxMessageSize: 256 * 1024,
    });
  }

  static async connect(
    mock: MockReactor,
    jwt: string,
    session: SessionResponseWire,
    options: PeerOptions = {},
  ): Promise<TestPeer> {
    const peer = new TestPeer(mock, jwt, session.session_id, session.capabilities!);
    peer.codec = wireCodec(options.wire ?? "v0");
    if (options.decode) peer.decoder = await createPatternDecoder();
    await peer.negotiate(options);
    if (!options.noWait)
      await peer.ready(options.readyTimeoutMs ?? 15_000, options.resume ?? true, options.legacy ?? false);
    return peer;
  }

  private async negotiate(options: PeerOptions): Promise<void> {
    const T = transportPath(this.sessionId);
    const h = options.headers ? { headers: options.headers } : {};
    if (options.reoffer !== undefined) this.connectionId = options.reoffer;
    if (!options.legacy) {
      if (options.reoffer === undefined) {
        const reg = await api(this.mock.url, `${T}/connections`, { jwt: this.jwt, method: "POST", ...h });
        if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
        this.connectionId = reg.body.connection_id;
      }
      this.control = this.pc.createDataChannel("control");
      this.control.onMessage.subscribe((m) => {
        this.record("control", m);
        if (this.codec.name !== "v0") return;
        const d = decodeControlFrame(m);
        this.controlReceived.push(d.ok ? d.message : { error: d.error.message, raw: String(m) });
      });
    }
    this.data = this.pc.createDataChannel("data");
    this.data.onMessage.subscribe((m) => {
      this.record("data", m);
      if (typeof m !== "string") {
        this.binaryFrames++;
        return;
      }
      try {
        this.received.push(JSON.parse(m));
      } catch {
        this.received.push(m);
      }
    });
    this.data.stateChanged.subscribe((s) => {
      if (s === "closed") this.dataClosed = true;
    });
    for (const track of this.caps.tracks) this.pc.addTransceiver(track.kind, { direction: track.direction });
    this.pc.onTrack.subscribe((track) => {
      if (track.kind !== "video") return;
      let parts: Buffer[] = [];
      let ts = -1;
      track.onReceiveRtp.subscribe((rtp) => {
        this.video.packets++;
        this.video.maxPayload = Math.max(this.video.maxPayload, rtp.payload.length);
        const vp8 = Vp8RtpPayload.deSerialize(rtp.payload);
        if (rtp.header.timestamp !== ts) {
          parts = [];
          ts = rtp.header.timestamp;
        }
        parts.push(vp8.payload);
        if (rtp.header.marker) this.onFrame(Buffer.concat(parts));
      });
    });
    const candidates: Array<{ candidate: string; sdp_mid?: string; sdp_mline_index?: number }> = [];
    this.pc.onIceCandidate.subscribe((c) => {
      if (c?.candidate)
        candidates.push({ candidate: c.candidate, sdp_mid: c.sdpMid ?? "0", sdp_mline_index: c.sdpMLineIndex ?? 0 });
    });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await waitFor(() => this.pc.iceGatheringState === "complete", 5000, "client ICE gathering");
    let sdp = this.pc.localDescription!.sdp;
    const mapping = this.pc.getTransceivers().map((t, i) => ({ mid: t.mid!, ...this.caps.tracks[i]! }));
    const offerBody = { sdp_offer: sdp, client_info: { ...CLIENT_INFO }, track_mapping: mapping };
    if (options.legacy) {
      // Shaped like the official JS SDK: only the WebRTC version header, trickle on T/ice_candidates.
      const legacyHeaders = { ...h, onlyWebrtcVersion: true };
      if (options.candidatesFirst) {
        offerBody.sdp_offer = sdp.replace(/^a=(candidate|end-of-candidates).*\r?\n/gm, "");
        const res = await api(this.mock.url, `${T}/ice_candidates`, {
          jwt: this.jwt,
          body: { candidates, is_final: true, client_info: { ...CLIENT_INFO } },
          ...legacyHeaders,
        });
        if (res.status !== 202) throw new Error(`legacy candidates: ${res.status} ${JSON.stringify(res.body)}`);
      }
      const res = await api(this.mock.url, `${T}/sdp_params`, { jwt: this.jwt, body: offerBody, ...legacyHeaders });
      if (res.status !== 202) throw new Error(`legacy offer: ${res.status} ${JSON.stringify(res.body)}`);
      this.connectionId = 1001;
    } else {
      const C = `${T}/connections/${this.connectionId}`;
      const postCandidates = async () => {
        const res = await api(this.mock.url, `${C}/ice_candidates`, {
          jwt: this.jwt,
          body: { candidates, is_final: true, client_info: { ...CLIENT_INFO } },
          ...h,
        });
        if (res.status !== 202) throw new Error(`candidates: ${res.status} ${JSON.stringify(res.body)}`);
      };
      if (options.candidatesFirst) {
        sdp = sdp.replace(/^a=(candidate|end-of-candidates).*\r?\n/gm, "");
        offerBody.sdp_offer = sdp;
        await postCandidates();
      }
      const res = await api(this.mock.url, `${C}/sdp_params`, {
        jwt: this.jwt,
        body: offerBody,
        method: options.reoffer === undefined ? "POST" : "PUT",
        ...h,
      });
      if (res.status !== 202) throw new Error(`offer: ${res.status} ${JSON.stringify(res.body)}`);
      if (!options.candidatesFirst) await postCandidates();
    }
    const answerPath = options.legacy ? `${T}/sdp_params` : `${T}/connections/${this.connectionId}/sdp_params`;
    const deadline = Date.now() + (options.answerTimeoutMs ?? 15_000);
    for (;;) {
      const res = await api(this.mock.url, answerPath, { jwt: this.jwt, ...h });
      if (res.status === 200) {
        await this.pc.setRemoteDescription({ type: "answer", sdp: res.body.sdp_answer });
        this.answerSdp = res.body.sdp_answer;
        return;
      }
      if (res.status !== 202) throw new Error(`answer poll: ${res.status} ${JSON.stringify(res.body)}`);
      if (Date.now() > deadline) throw new Error("answer poll timed out");
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  answerSdp = "";

  private onFrame(frame: Buffer): void {
    this.video.frames++;
    this.video.firstFrameAt ??= Date.now();
    const key = isVp8Keyframe(frame);
    if (key) this.video.keyframes++;
    if (!this.decoder) return;
    if (this.video.numbers.length === 0 && !key && this.video.undecodable === 0 && this.video.keyframes === 0) return;
    try {
      for (const { reading, width, height } of this.decoder.decode(frame)) {
        this.video.sizes.push(`${width}x${height}`);
        if (reading) this.video.numbers.push(reading.frameNumber);
        else this.video.undecodable++;
        this.lastReading = reading ?? this.lastReading;
      }
    } catch {
      this.video.undecodable++;
    }
  }

  lastReading: import("../../src/video/pattern.js").PatternReading | null = null;

  private async ready(timeoutMs: number, resume: boolean, legacy: boolean): Promise<void> {
    await waitFor(
      () =>
        this.pc.connectionState === "connected" &&
        this.data.readyState === "open" &&
        (legacy || this.control?.readyState === "open"),
      timeoutMs,
      "peer ready",
    );
    this.send({ kind: "runtime", type: "requestSchema", data: {}, requestId: `ctrl_${this.requestId++}` });
    if (resume && this.control) {
      for (const t of this.caps.tracks) {
        if (t.direction === "recvonly") this.send({ kind: "notification", event: "resume_track", name: t.name });
      }
    }
  }

  private record(channel: "data" | "control", frame: string | Buffer): void {
    const d = this.codec.decodeServer(channel, frame);
    this.messages.push(d.ok ? d.message : { error: d.error.message });
  }

  /** Encodes `message` in this peer's wire and sends it on its channel (v0 ignores request ids). */
  send(message: ClientMessage): void {
    const frame = this.codec.encodeClient(message);
    const channel = frame.channel === "data" ? this.data : this.control!;
    channel.send(typeof frame.payload === "string" ? frame.payload : Buffer.from(frame.payload));
  }

  /** Sends a command (`data_<n>` on v1); returns its request id. */
  command(type: string, data: Record<string, unknown> = {}): string {
    const requestId = `data_${this.commandId++}`;
    this.send({ kind: "command", type, data, requestId });
    return requestId;
  }

  /** Resolves with the message answering `requestId` (v1). */
  answer(requestId: string, what = `the answer to ${requestId}`): Promise<ServerMessage> {
    return this.until(
      () => this.messages.find((m): m is ServerMessage => "kind" in m && "requestId" in m && m.requestId === requestId),
      what,
    );
  }

  /** Sends raw text or bytes on a channel. */
  sendRaw(frame: string | Uint8Array, channel: "data" | "control" = "data"): void {
    (channel === "data" ? this.data : this.control!).send(typeof frame === "string" ? frame : Buffer.from(frame));
  }

  /** Sends a control request and resolves with its response (as the v0 codec shapes it on v0). */
  async request(method: string, data: Record<string, unknown>): Promise<any> {
    const id = `ctrl_${this.requestId++}`;
    this.send({ kind: "request", method, requestId: id, data });
    if (this.codec.name === "v0") {
      return this.until(() => this.controlReceived.find((m: any) => m.requestId === id), "control response");
    }
    return this.answer(id, "control response");
  }

  /** Resolves with the first truthy value of `probe`, polling every 10 ms. */
  async until<T>(probe: () => T | undefined | false, what = "condition", timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The first received application/runtime message of a type. */
  message(scope: "application" | "runtime", type: string): any {
    return this.received.find((m: any) => m?.scope === scope && m?.data?.type === type) as any;
  }

  async close(): Promise<void> {
    this.decoder?.close();
    this.decoder = undefined;
    await this.pc.close();
  }
}
