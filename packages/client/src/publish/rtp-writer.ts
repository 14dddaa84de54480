/**
 * Writes one published track's media onto its negotiated `sendonly` sender (docs/protocol.md §6: no
 * renegotiation): RTP headers (random sequence and timestamp bases, the 90 kHz video / 48 kHz
 * Opus clock from the frames' own timestamps, the marker on a frame's last packet), pacing, and
 * the receiver's feedback for this SSRC (PLI/FIR → keyframe, REMB and receiver reports →
 * bitrate). werift stamps the SSRC and the negotiated payload type.
 */
import { RTP_MAX_PAYLOAD_BYTES } from "@reactor-node/protocol";
import { type RTCRtpSender, type RtcpPacket, RtpHeader, RtpPacket } from "werift";
import type { Logger } from "../logger.js";
import type { ReceiverFeedback } from "./bitrate.js";

/** RTCP payload-specific feedback and its formats (RFC 4585, 5104), receiver reports (RFC 3550). */
const PSFB = 206;
const PLI = 1;
const FIR = 4;
const REMB = 15;
const RR = 201;
const SR = 200;

/**
 * Pacing: a frame's packets go out at once up to this many bytes (a delta frame, so it costs no
 * latency); the rest of a large frame (a keyframe) is spread at {@link PACING_FACTOR} × the
 * target rate, so a keyframe burst does not overflow the receiver's socket buffer.
 */
const PACING_BURST_BYTES = 24_000;
/** Pacing rate over the target bitrate. */
export const PACING_FACTOR = 2.5;
/** Slowest pacing rate, bits per second. */
export const PACING_MIN_BPS = 4_000_000;

/** The connection-side half a writer needs: the sender and the connection's RTCP. */
export interface MediaSenderBinding {
  sender: RTCRtpSender;
  /** Every RTCP packet this connection receives (werift routes feedback by SSRC unreliably). */
  onRtcp(listener: (packet: RtcpPacket) => void): () => void;
}

/** What the writer reports back to its publisher. */
export interface RtpWriterEvents {
  keyframeRequested(kind: "pli" | "fir"): void;
  feedback(feedback: ReceiverFeedback): void;
}

/** Counters of one writer. */
export interface RtpWriterStats {
  packets: number;
  bytes: number;
  pliReceived: number;
  firReceived: number;
}

/** One track's RTP on one connection. */
export class RtpWriter {
  private sequence = randomUint(16);
  private readonly timestampBase = randomUint(32);
  private readonly queue: RtpPacket[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastSendAt = 0;
  private credit = PACING_BURST_BYTES;
  private closed = false;
  private readonly offRtcp: () => void;
  private lastFirSequence = -1;
  readonly stats: RtpWriterStats = { packets: 0, bytes: 0, pliReceived: 0, firReceived: 0 };
  /** Bits per second packets may leave at, beyond the burst. */
  paceBps = PACING_MIN_BPS;

  constructor(
    private readonly binding: MediaSenderBinding,
    private readonly events: RtpWriterEvents,
    private readonly logger: Logger,
  ) {
    this.offRtcp = binding.onRtcp((packet) => this.onRtcp(packet));
  }

  /** The largest RTP payload (descriptor included) the service accepts. */
  get maxPayloadBytes(): number {
    return RTP_MAX_PAYLOAD_BYTES;
  }

  /** The SSRC werift sends this track with. */
  get ssrc(): number {
    return this.binding.sender.ssrc;
  }

  /** Queues one frame's payloads with timestamp `timestamp` (clock units, unwrapped); marker on the last. */
  writeFrame(payloads: readonly Uint8Array[], timestamp: number, marker = true): void {
    if (this.closed) return;
    const ts = (this.timestampBase + timestamp) % 2 ** 32;
    payloads.forEach((payload, i) => {
      const header = new RtpHeader({
        sequenceNumber: this.sequence,
        timestamp: ts,
        marker: marker && i === payloads.length - 1,
        payloadType: 96,
      });
      this.sequence = (this.sequence + 1) & 0xffff;
      this.queue.push(new RtpPacket(header, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)));
      this.queuedBytes += payload.byteLength;
    });
    this.flush();
  }

  /** Packets waiting for the pacer. */
  get backlogBytes(): number {
    return this.queuedBytes;
  }

  /** Stops sending and listening (idempotent); what waits is dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.offRtcp();
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private flush(): void {
    this.timer = undefined;
    if (this.closed) return;
    const now = performance.now();
    this.credit = Math.min(PACING_BURST_BYTES, this.credit + ((now - this.lastSendAt) * this.paceBps) / 8000);
    this.lastSendAt = now;
    while (this.queue.length > 0 && this.credit > 0) {
      const packet = this.queue.shift()!;
      this.queuedBytes -= packet.payload.length;
      this.credit -= packet.payload.length;
      this.stats.packets++;
      this.stats.bytes += packet.payload.length;
      this.binding.sender.sendRtp(packet).catch((error: unknown) => {
        this.logger.debug({ err: error }, "RTP packet not sent");
      });
    }
    if (this.queue.length > 0) {
      const waitMs = Math.max(1, (-this.credit * 8000) / this.paceBps);
      this.timer = setTimeout(() => this.flush(), waitMs);
    }
  }

  private onRtcp(packet: RtcpPacket): void {
    if (this.closed) return;
    const ssrc = this.binding.sender.ssrc;
    if (packet.type === PSFB) {
      const feedback = (packet as { feedback: { count: number; mediaSsrc?: number } }).feedback;
      if (feedback.count === PLI && feedback.mediaSsrc === ssrc) {
        this.stats.pliReceived++;
        this.events.keyframeRequested("pli");
      } else if (feedback.count === FIR) {
        const entry = (feedback as { fir?: Array<{ ssrc: number; sequenceNumber: number }> }).fir?.find(
          (e) => e.ssrc === ssrc,
        );
        // A FIR is repeated with the same sequence number until answered (RFC 5104 §4.3.1.1).
        if (entry && entry.sequenceNumber !== this.lastFirSequence) {
          this.lastFirSequence = entry.sequenceNumber;
          this.stats.firReceived++;
          this.events.keyframeRequested("fir");
        }
      } else if (feedback.count === REMB) {
        const remb = feedback as { bitrate?: bigint; ssrcFeedbacks?: number[] };
        if (remb.ssrcFeedbacks?.includes(ssrc) && remb.bitrate !== undefined) {
          this.events.feedback({ rembBps: Number(remb.bitrate) });
        }
      }
      return;
    }
    if (packet.type === RR || packet.type === SR) {
      const reports = (packet as { reports?: Array<{ ssrc: number; fractionLost: number }> }).reports ?? [];
      const report = reports.find((r) => r.ssrc === ssrc);
      if (report) this.events.feedback({ fractionLost: report.fractionLost / 256 });
    }
  }
}

function randomUint(bits: 16 | 32): number {
  return Math.floor(Math.random() * 2 ** bits);
}
