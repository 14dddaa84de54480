/**
 * One client connection on a fake GPU peer: a werift answerer, its `control` and `data`
 * channels, the inbound-silence watchdog and the per-connection faults. Message semantics
 * (commands, publish slots, the wire each connection latched) live in the session; this file
 * moves frames and keeps time.
 */
import {
  emptyMessageSender,
  hasFrameMetadataAttribute,
  type IceCandidateInit,
  PacedSender,
  type TrackMappingEntry,
  type WireName,
} from "@reactor-node/protocol";
import type { RTCDataChannel, RTCPeerConnection, RTCRtpTransceiver, RtpPacket } from "werift";
import { clip, HISTORY_MAX_TEXT_CHARS } from "../bounds.js";
import { fuzzFrames } from "../faults/fuzz.js";
import type { FaultOf, FaultSpec } from "../faults/spec.js";
import { findFault } from "../faults/spec.js";
import type { Logger } from "../logger.js";
import { answerOffer, blackholeCandidates, createAnswerer, stripCandidates } from "./answer.js";
import type { GpuMessage } from "./link.js";
import { ConnectionMedia } from "./media.js";

/** What a connection needs from its session. */
export interface ConnectionHost {
  readonly sessionId: string;
  readonly logger: Logger;
  readonly faults: readonly FaultSpec[];
  readonly idleTimeoutMs: number;
  readonly iceGatherTimeoutMs: number;
  readonly outputTracks: ReadonlyArray<{ name: string; kind: "video" | "audio" }>;
  report(message: GpuMessage): void;
  onFrame(connection: GpuConnection, channel: "data" | "control", frame: string | Buffer): void;
  onConnected(connection: GpuConnection): void;
  onGone(connection: GpuConnection): void;
  onKeyframeWanted(): void;
  /** RTP of a published input track (client `sendonly`) arrived on this connection. */
  onInboundRtp(connection: GpuConnection, track: string, kind: "video" | "audio", packet: RtpPacket): void;
}

/** RTCP payload-specific feedback packet type, and its PLI / FIR formats (RFC 4585, 5104). */
const PSFB_TYPE = 206;
const PLI_FMT = 1;
const FIR_FMT = 4;

/** Candidates kept for a connection whose offer has not arrived (the coordinator bounds them too). */
const MAX_PENDING_CANDIDATES = 256;

/** A client connection hosted by a GPU peer. */
export class GpuConnection {
  readonly pc: RTCPeerConnection;
  readonly media = new ConnectionMedia();
  readonly channels = new Map<string, RTCDataChannel>();
  /** Each channel's paced outbound queue (werift stalls on bursts; see the protocol's PacedSender). */
  private readonly senders = new Map<string, PacedSender>();
  private readonly closedByUs = new Set<string>();
  /** Input tracks (client `sendonly`) by name: their transceiver and the SSRC media arrived with. */
  private readonly inputs = new Map<string, { transceiver: RTCRtpTransceiver; ssrc?: number }>();
  /** Candidates that arrived before the offer was applied. */
  private pendingCandidates: IceCandidateInit[] = [];
  private remoteApplied = false;
  private candidateChain: Promise<void> = Promise.resolve();
  private answering = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private everConnected = false;
  /** `ice-blackhole`: unreachable answer candidates, client candidates ignored, STUN unanswered. */
  private readonly blackhole: boolean;
  /** The encoding latched from the client's first inbound frame (docs/protocol.md §9); set by the session. */
  wire: WireName | undefined;

  constructor(
    private readonly host: ConnectionHost,
    readonly connectionId: number,
    /** Legacy single-connection clients have no `control` channel: their tracks flow at once. */
    readonly legacy: boolean,
    /** The coordinator's offer generation this peer answers (tags its state reports). */
    public generation: number,
  ) {
    this.blackhole = findFault(host.faults, "ice-blackhole") !== undefined;
    this.pc = createAnswerer({ blackhole: this.blackhole });
    this.pc.connectionStateChange.subscribe((state) => this.onState(state));
    this.pc.onDataChannel.subscribe((channel) => this.onChannel(channel));
  }

  /** Answers the offer; resolves with the SDP answer. */
  async answer(sdpOffer: string, mapping: readonly TrackMappingEntry[]): Promise<string> {
    this.answering = true;
    const offer = this.blackhole ? stripCandidates(sdpOffer) : sdpOffer;
    let sdp = await answerOffer(this.pc, offer, mapping, this.host.iceGatherTimeoutMs);
    this.media.frameMetadata = hasFrameMetadataAttribute(sdp);
    if (this.blackhole) sdp = blackholeCandidates(sdp);
    this.remoteApplied = true;
    for (const transceiver of this.pc.getTransceivers()) {
      const entry = mapping.find((m) => m.mid === transceiver.mid);
      if (entry?.direction === "sendonly") this.watchInput(entry.name, entry.kind, transceiver);
      if (entry?.direction !== "recvonly") continue;
      this.media.add(entry.name, entry.kind, transceiver.sender, !this.legacy);
    }
    this.watchKeyframeRequests();
    // A client that vanishes after offering never connects: the silence watchdog starts now.
    this.armIdle();
    // Never hold the answer for them: a browser's mDNS (.local) candidate can take werift a
    // long time to resolve.
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    this.enqueueCandidates(pending);
    return sdp;
  }

  /**
   * PLI/FIR on an output video track asks the source for a keyframe. werift routes payload-
   * specific feedback by the packet's *sender* SSRC first, which lands it on whichever
   * transceiver owns that SSRC (often the client's own input track), so every transceiver's
   * RTCP is watched and matched on the media SSRC.
   */
  private watchKeyframeRequests(): void {
    const videoSsrcs = new Set(
      [...this.media.tracks.values()].filter((t) => t.kind === "video").map((t) => t.sender.ssrc),
    );
    if (videoSsrcs.size === 0) return;
    const onRtcp = (packet: { type: number; feedback?: { count?: number; mediaSsrc?: number } }) => {
      if (packet.type !== PSFB_TYPE) return;
      const { count, mediaSsrc } = packet.feedback ?? {};
      if ((count !== PLI_FMT && count !== FIR_FMT) || !videoSsrcs.has(mediaSsrc ?? -1)) return;
      this.host.report({ type: "event", sessionId: this.host.sessionId, connectionId: this.connectionId, name: "pli" });
      this.host.onKeyframeWanted();
    };
    for (const transceiver of this.pc.getTransceivers()) {
      transceiver.sender.onRtcp.subscribe(onRtcp as never);
      transceiver.receiver.onRtcp.subscribe(onRtcp as never);
    }
  }

  private watchInput(name: string, kind: "video" | "audio", transceiver: RTCRtpTransceiver): void {
    const input: { transceiver: RTCRtpTransceiver; ssrc?: number } = { transceiver };
    this.inputs.set(name, input);
    const seen = new Set<unknown>();
    const listen = (track: (typeof transceiver.receiver.tracks)[number]) => {
      if (seen.has(track)) return;
      seen.add(track);
      track.onReceiveRtp.subscribe((packet) => {
        if (this.closed) return;
        input.ssrc = packet.header.ssrc;
        this.host.onInboundRtp(this, name, kind, packet);
      });
    };
    // werift adds the remote track while applying the offer (it carries the SSRC), before this runs.
    for (const track of transceiver.receiver.tracks) listen(track);
    transceiver.onTrack.subscribe((track) => listen(track));
  }

  /** Asks the publisher of input track `name` for a keyframe (RTCP PLI). */
  requestInputKeyframe(name: string): void {
    const input = this.inputs.get(name);
    if (!input || input.ssrc === undefined || this.closed) return;
    input.transceiver.receiver.sendRtcpPLI(input.ssrc).catch(() => {});
    this.host.report({
      type: "event",
      sessionId: this.host.sessionId,
      connectionId: this.connectionId,
      name: "pli_sent",
      detail: { track: name },
    });
  }

  /** True when the answer negotiated frame-metadata trailers (werift keeps no custom session attribute). */
  get frameMetadata(): boolean {
    return this.media.frameMetadata;
  }

  /** Applies trickled candidates, buffering those that arrive before the offer. */
  async addCandidates(candidates: IceCandidateInit[]): Promise<void> {
    if (this.blackhole) return;
    if (!this.remoteApplied) {
      const room = MAX_PENDING_CANDIDATES - this.pendingCandidates.length;
      this.pendingCandidates.push(...candidates.slice(0, Math.max(0, room)));
      return;
    }
    await this.enqueueCandidates(candidates);
  }

  // Candidates are applied one at a time, in arrival order.
  private enqueueCandidates(candidates: IceCandidateInit[]): Promise<void> {
    this.candidateChain = this.candidateChain.then(async () => {
      for (const c of candidates) if (!this.closed) await this.applyCandidate(c);
    });
    return this.candidateChain;
  }

  private async applyCandidate(c: IceCandidateInit): Promise<void> {
    // Browsers hide host addresses behind mDNS names; werift would spend 10 s per name on a
    // multicast lookup. The browser's STUN checks reveal its address (peer-reflexive) anyway.
    if (c.candidate === "" || /\s\S+\.local\s/.test(c.candidate)) return;
    try {
      await this.pc.addIceCandidate({
        candidate: c.candidate,
        ...(c.sdpMid != null && { sdpMid: c.sdpMid }),
        ...(c.sdpMLineIndex != null && { sdpMLineIndex: c.sdpMLineIndex }),
      });
    } catch (error) {
      this.host.logger.debug({ err: error, candidate: c.candidate }, "candidate rejected");
    }
  }

  private onState(state: string): void {
    if (this.closed) return;
    if (state === "connected") {
      this.everConnected = true;
      this.media.connected = true;
      this.report({
        type: "connectionState",
        sessionId: this.host.sessionId,
        connectionId: this.connectionId,
        generation: this.generation,
        state,
      });
      this.armIdle();
      this.host.onConnected(this);
      return;
    }
    // A blackholed peer "fails" on its own clock; the client must see it linger, not vanish.
    if (this.blackhole) return;
    if (state === "failed" || state === "closed" || (state === "disconnected" && this.everConnected)) {
      void this.close(state === "failed" ? "failed" : state === "closed" ? "closed" : "disconnected");
    }
  }

  private onChannel(channel: RTCDataChannel): void {
    const label = channel.label;
    if (label !== "data" && label !== "control") {
      this.host.logger.debug({ label }, "ignoring unknown data channel");
    }
    this.channels.set(label, channel);
    const failed = (error: unknown) => this.host.logger.warn({ err: error, label }, "data channel send failed");
    const sendEmpty = emptyMessageSender(channel, failed);
    this.senders.get(label)?.close();
    this.senders.set(
      label,
      new PacedSender(channel, {
        label,
        ...(sendEmpty && { sendEmpty }),
        onSendFailed: failed,
        onDropped: (count) => this.host.logger.debug({ label, count }, "queued messages dropped at close"),
      }),
    );
    channel.onMessage.subscribe((frame) => {
      this.armIdle();
      this.report({
        type: "dataChannel",
        sessionId: this.host.sessionId,
        connectionId: this.connectionId,
        channel: label,
        direction: "in",
        ...this.recorded(frame),
      });
      if (label === "data" || label === "control") this.host.onFrame(this, label, frame);
    });
    // The client closing its channels (its peer went away) ends the connection; a channel we
    // closed ourselves (data-channel-close fault) does not.
    channel.stateChanged.subscribe((s) => {
      if (s !== "closed" || this.closed) return;
      const all = [...this.channels.entries()];
      if (all.every(([l, c]) => c.readyState === "closed" && !this.closedByUs.has(l))) void this.close("closed");
    });
    const opened = () => this.onChannelOpen(label);
    if (channel.readyState === "open") opened();
    else
      channel.stateChanged.subscribe((s) => {
        if (s === "open") opened();
      });
  }

  private onChannelOpen(label: string): void {
    for (const fault of this.host.faults) {
      if (fault.name === "data-channel-close" && fault.channel === label) {
        this.later(fault.after * 1000, () => {
          this.closedByUs.add(label);
          this.channels.get(label)?.close();
        });
      }
      if (label !== "data") continue;
      if (fault.name === "garbage-messages") this.later(fault.after * 1000, () => this.sendGarbage());
      if (fault.name === "fuzz-messages") this.later(fault.after * 1000, () => void this.sendFuzz(fault));
      if (fault.name === "oversized-message") {
        this.later(fault.after * 1000, () => {
          const filler = "x".repeat(fault.bytes);
          // Lift werift's check against the client's advertised max-message-size: the point is to break it.
          (
            this.pc.sctpTransport as unknown as { setRemoteMaxMessageSize(n: number): void } | undefined
          )?.setRemoteMaxMessageSize(0);
          this.sendText("data", JSON.stringify({ scope: "application", data: { type: "oversized", data: filler } }));
        });
      }
    }
  }

  private sendGarbage(): void {
    for (const label of ["data", "control"]) {
      this.sendText(label, "this is not JSON {");
      this.sendText(label, JSON.stringify({ scope: "nonsense", data: 42 }));
      this.sendText(label, JSON.stringify({ type: "response", method: 7 }));
      this.sendBytes(label, Buffer.from([0xff, 0x00, 0xfe, 0x13, 0x37]));
    }
  }

  // fuzz-messages: the frames are made as the channel drains, so the queue stays small.
  private async sendFuzz(fault: FaultOf<"fuzz-messages">): Promise<void> {
    let sent = 0;
    let refused = 0;
    const frames = fuzzFrames(fault.seed);
    for (let i = 0; i < fault.count && !this.closed; i++) {
      while (
        !this.closed &&
        (this.senders.get("data")?.queued ?? 0) + (this.senders.get("control")?.queued ?? 0) > 256
      ) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const { channel, frame } = frames.next().value!;
      const ok = typeof frame === "string" ? this.sendText(channel, frame) : this.sendBytes(channel, frame);
      if (ok) sent++;
      else refused++;
    }
    this.host.report({
      type: "event",
      sessionId: this.host.sessionId,
      connectionId: this.connectionId,
      name: "fuzz_sent",
      detail: { sent, refused },
    });
  }

  /** Sends raw text on a channel (when open; queued and paced), recording it. */
  sendText(label: string, text: string): boolean {
    if (!this.enqueue(label, text)) return false;
    this.report({
      type: "dataChannel",
      sessionId: this.host.sessionId,
      connectionId: this.connectionId,
      channel: label,
      direction: "out",
      ...this.recorded(text),
    });
    return true;
  }

  /** Sends a binary frame on a channel (when open; queued and paced), recording it. False when refused. */
  sendBytes(label: string, bytes: Uint8Array): boolean {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!this.enqueue(label, buffer)) return false;
    this.report({
      type: "dataChannel",
      sessionId: this.host.sessionId,
      connectionId: this.connectionId,
      channel: label,
      direction: "out",
      ...this.recorded(buffer),
    });
    return true;
  }

  // A client that does not read (its queue full) loses this message, logged; the GPU goes on.
  private enqueue(label: string, frame: string | Buffer): boolean {
    const channel = this.channels.get(label);
    const sender = this.senders.get(label);
    if (channel?.readyState !== "open" || !sender) return false;
    try {
      sender.send(frame);
    } catch (error) {
      this.host.logger.warn({ err: error, label }, "data channel send refused");
      return false;
    }
    return true;
  }

  /** Runs `fn` after `ms` unless the connection closes first. */
  later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(timer);
  }

  // Any inbound frame is keep-alive; the first arms it at `connected`.
  private armIdle(): void {
    if (this.closed) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.host.report({
        type: "event",
        sessionId: this.host.sessionId,
        connectionId: this.connectionId,
        name: "idle_timeout",
      });
      void this.close("idle");
    }, this.host.idleTimeoutMs);
  }

  /** How a frame is recorded: its text (the first 64 KiB), or its size when binary. */
  private recorded(frame: string | Buffer): {
    text: string | null;
    binaryBytes?: number;
    binaryBase64?: string;
    textLength?: number;
  } {
    if (typeof frame !== "string") {
      // Small binary frames (v1 messages) travel in full, so the history can decode them.
      const keep = frame.length <= HISTORY_MAX_TEXT_CHARS;
      return { text: null, binaryBytes: frame.length, ...(keep && { binaryBase64: frame.toString("base64") }) };
    }
    if (frame.length <= HISTORY_MAX_TEXT_CHARS) return { text: frame };
    return { text: clip(frame, HISTORY_MAX_TEXT_CHARS), textLength: frame.length };
  }

  private report(message: GpuMessage): void {
    this.host.report(message);
  }

  /** True once an offer has been applied. */
  get hasRemote(): boolean {
    return this.remoteApplied || this.answering;
  }

  /** True after {@link close}. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes the peer connection and every timer (idempotent). */
  async close(reason = "closed"): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.media.connected = false;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.host.report({
      type: "connectionState",
      sessionId: this.host.sessionId,
      connectionId: this.connectionId,
      generation: this.generation,
      state: reason === "failed" ? "failed" : "closed",
    });
    this.host.onGone(this);
    for (const sender of this.senders.values()) sender.close();
    this.senders.clear();
    try {
      await this.pc.close();
    } catch {
      // already closed
    }
  }
}
