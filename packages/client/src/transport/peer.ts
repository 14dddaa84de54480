/**
 * One WebRTC connection to the GPU peer (werift): builds the offer, applies the answer, gates
 * readiness (peer `connected` AND `data` open AND `control` open, docs/protocol.md §4) and, once
 * ready, reports the first sign of loss (peer disconnected/failed/closed, or a data channel
 * closing) exactly once. It knows nothing about sessions or HTTP.
 */
import {
  type ChannelLabel,
  hasFrameMetadataAttribute,
  type IceCandidateInit,
  type IceServer,
  type ReactorError,
  reactorError,
  rtpCodecs,
  type TrackInfo,
  type TrackMappingEntry,
  withFrameMetadataAttribute,
} from "@reactor-node/protocol";
import {
  type MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpSender,
  type RTCRtpTransceiver,
  type RtcpPacket,
} from "werift";
import { raceAbort } from "../abort.js";
import type { Logger } from "../logger.js";
import { DataChannels } from "./channels.js";
import { createLocalOffer } from "./offer.js";
import { declaredMaxMessageSize, outboundMessageLimit } from "./sdp-limits.js";

/**
 * The `a=max-message-size` this client advertises, i.e. the largest message the GPU may send
 * us (our choice: werift's 64 KiB default would make the GPU refuse larger model messages).
 */
const INBOUND_MAX_MESSAGE_BYTES = 1024 * 1024;

/** What a transport reports to its owner. */
export interface PeerEvents {
  onFrame(label: ChannelLabel, frame: string | Buffer): void;
  /** A received track arrived on the transceiver of capability track `info`. */
  onTrack(info: TrackInfo, track: MediaStreamTrack, transceiver: RTCRtpTransceiver): void;
  /** A gathered local candidate, or `undefined` at end-of-candidates. */
  onCandidate(candidate: IceCandidateInit | undefined): void;
  /** The ready connection was lost (called at most once, never before ready). */
  onLost(error: ReactorError): void;
}

/** Options of a {@link PeerTransport}. */
export interface PeerTransportOptions {
  iceServers: IceServer[];
  tracks: readonly TrackInfo[];
  /** Offer `a=x-reactor-frame-metadata:1` (docs/protocol.md §6). */
  frameMetadata?: boolean;
  logger: Logger;
  events: PeerEvents;
}

/** The client side of one peer connection. */
export class PeerTransport {
  readonly pc: RTCPeerConnection;
  private channels: DataChannels | undefined;
  private readonly transceivers = new Map<string, { info: TrackInfo; transceiver: RTCRtpTransceiver }>();
  private readonly subscriptions: Array<() => void> = [];
  private readyFlag = false;
  private metadataNegotiated = false;
  private lostFlag = false;
  private closing: Promise<void> | undefined;
  private limit = outboundMessageLimit(undefined);
  private stateWaiters = new Set<() => void>();

  constructor(private readonly options: PeerTransportOptions) {
    this.pc = new RTCPeerConnection({
      iceServers: options.iceServers.map((s) => ({
        urls: s.urls,
        ...(s.username !== undefined && { username: s.username }),
        ...(s.credential !== undefined && { credential: s.credential }),
      })),
      // VP8 only (what the frames package decodes; the runtime takes the first of VP9, VP8,
      // H264, AV1, H265 the offer lists) and Opus 48 kHz.
      codecs: rtpCodecs((codec) => new RTCRtpCodecParameters(codec)),
      // One transport for every m-line: werift leaves the sockets of unbundled transports it
      // discards at answer time open, which would keep the process alive after close().
      bundlePolicy: "max-bundle",
      maxMessageSize: INBOUND_MAX_MESSAGE_BYTES,
      iceUseIpv6: false,
    });
    this.subscriptions.push(
      this.pc.connectionStateChange.subscribe((state) => this.onStateChange(`pc:${state}`)).unSubscribe,
      this.pc.onIceCandidate.subscribe((candidate) => {
        if (this.closing) return;
        if (!candidate) {
          options.events.onCandidate(undefined);
          return;
        }
        const init = candidate.toJSON();
        options.events.onCandidate({
          candidate: init.candidate ?? "",
          ...(init.sdpMid !== undefined && { sdpMid: init.sdpMid }),
          ...(init.sdpMLineIndex !== undefined && { sdpMLineIndex: init.sdpMLineIndex }),
        });
      }).unSubscribe,
    );
  }

  /** Creates the local offer (channels, transceivers) and returns the SDP with its track mapping. */
  async createOffer(): Promise<{ sdp: string; trackMapping: TrackMappingEntry[] }> {
    const offer = await createLocalOffer(this.pc, this.options.tracks);
    this.channels = new DataChannels(offer.control, offer.data, {
      onFrame: (label, frame) => this.options.events.onFrame(label, frame),
      onStateChange: (label, state) => this.onStateChange(`${label}:${state}`),
      onSendFailed: (label, error) => this.options.logger.warn({ err: error, label }, "data channel send failed"),
    });
    for (const [name, entry] of offer.transceivers) {
      this.transceivers.set(name, entry);
      if (entry.info.direction !== "recvonly") continue;
      this.subscriptions.push(
        entry.transceiver.onTrack.subscribe((track, transceiver) => {
          if (!this.closing) this.options.events.onTrack(entry.info, track, transceiver);
        }).unSubscribe,
      );
    }
    // werift keeps no custom session attribute in its own description, so it is added to what is sent.
    const sdp = this.options.frameMetadata ? withFrameMetadataAttribute(offer.sdp) : offer.sdp;
    return { sdp, trackMapping: offer.trackMapping };
  }

  /** True once the answer echoed the frame-metadata attribute this transport offered: video frames carry trailers. */
  get frameMetadata(): boolean {
    return this.metadataNegotiated;
  }

  /** Applies the server's answer and derives the outbound message limit from it. */
  async applyAnswer(sdp: string): Promise<void> {
    // Before setRemoteDescription: tracks arrive during it and ask whether to strip trailers.
    this.metadataNegotiated = this.options.frameMetadata === true && hasFrameMetadataAttribute(sdp);
    await this.pc.setRemoteDescription({ type: "answer", sdp });
    this.limit = outboundMessageLimit(sdp);
    // Without a declared size werift assumes 64 KiB (RFC 8841); the protocol's fallback is 256 KiB.
    const sctp = this.pc.sctpTransport;
    if (sctp && declaredMaxMessageSize(sdp) === undefined) sctp.remoteMaxMessageSize = this.limit;
  }

  /** Resolves when ready; rejects if the peer fails, a channel closes, `timeoutMs` passes or `signal` aborts. */
  waitReady(signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    const wait = new Promise<void>((resolve, reject) => {
      const check = (): void => {
        const failure = this.failure();
        if (failure) {
          done();
          reject(failure);
        } else if (this.isConnectedAndOpen()) {
          done();
          this.readyFlag = true;
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(reactorError("TIMEOUT", `The GPU connection was not ready within ${timeoutMs} ms (${this.describe()})`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.stateWaiters.delete(check);
      };
      this.stateWaiters.add(check);
      check();
    });
    return raceAbort(wait, signal, "Connecting to the GPU");
  }

  /** True once the readiness gate passed. */
  get ready(): boolean {
    return this.readyFlag;
  }

  /** Largest outbound message, from the remote SDP's max-message-size or the 256 KiB fallback. */
  get messageLimit(): number {
    return this.limit;
  }

  /** Sends a frame (v0 text, v1 bytes) on a channel (typed errors: NOT_READY, MESSAGE_TOO_LARGE, DATA_CHANNEL_CLOSED). */
  send(label: ChannelLabel, payload: string | Uint8Array): void {
    if (!this.channels || this.closing) throw reactorError("NOT_READY", "The GPU connection is not open");
    this.channels.send(label, payload, this.limit);
  }

  /** Asks the GPU for a keyframe on a received video track (RTCP PLI). */
  requestKeyframe(trackName: string, mediaSsrc: number): void {
    const entry = this.transceivers.get(trackName);
    if (!entry || this.closing) return;
    entry.transceiver.receiver.sendRtcpPLI(mediaSsrc).catch((error: unknown) => {
      this.options.logger.debug({ err: error, track: trackName }, "PLI not sent");
    });
  }

  /**
   * The sender of input (`sendonly`) track `trackName`, and a feed of every RTCP packet of the
   * connection: werift routes payload-specific feedback by the *sender* SSRC first, so a PLI
   * for our track may land on another transceiver; publishers match on the media SSRC.
   */
  mediaSender(
    trackName: string,
  ): { sender: RTCRtpSender; onRtcp(listener: (packet: RtcpPacket) => void): () => void } | undefined {
    const entry = this.transceivers.get(trackName);
    if (!entry || entry.info.direction !== "sendonly" || this.closing) return undefined;
    const all = [...this.transceivers.values()].map((e) => e.transceiver);
    return {
      sender: entry.transceiver.sender,
      onRtcp: (listener) => {
        const subs = all.flatMap((t) => [t.sender.onRtcp.subscribe(listener), t.receiver.onRtcp.subscribe(listener)]);
        return () => {
          for (const sub of subs) sub.unSubscribe();
        };
      },
    };
  }

  /** Closes channels and the peer connection (idempotent; resolves when werift released its sockets). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stateWaiters.clear();
      for (const off of this.subscriptions) off();
      this.channels?.close();
      try {
        await this.pc.close();
      } catch (error) {
        this.options.logger.debug({ err: error }, "peer connection close failed");
      }
    })();
    return this.closing;
  }

  private onStateChange(what: string): void {
    if (this.closing) return;
    this.options.logger.debug({ state: what }, "transport state");
    for (const waiter of [...this.stateWaiters]) waiter();
    if (!this.readyFlag || this.lostFlag) return;
    const failure = this.failure();
    if (failure) {
      this.lostFlag = true;
      this.options.events.onLost(failure);
    }
  }

  private isConnectedAndOpen(): boolean {
    return this.pc.connectionState === "connected" && this.channels !== undefined && this.channels.open;
  }

  private failure(): ReactorError | undefined {
    const state = this.pc.connectionState;
    if (state === "failed" || state === "closed" || (state === "disconnected" && this.readyFlag)) {
      return reactorError("GPU_CONNECTION_ERROR", `The connection to the GPU is ${state}`);
    }
    const closed = this.channels?.closed;
    if (closed) {
      return reactorError("GPU_CONNECTION_ERROR", `The '${closed}' data channel closed`, {
        cause: reactorError("DATA_CHANNEL_CLOSED", `The GPU closed the '${closed}' data channel`),
      });
    }
    return undefined;
  }

  private describe(): string {
    return `peer ${this.pc.connectionState}, channels ${this.channels?.open ? "open" : "not open"}`;
  }
}
