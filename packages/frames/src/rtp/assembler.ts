import { isVp8Keyframe, VIDEO_RTP_CLOCK_HZ } from "@reactor-node/protocol";
import type { RtpPacket } from "werift/nonstandard";
import { ReorderBuffer, type ResyncReason } from "./reorder-buffer.js";
import { Vp8Depacketizer } from "./vp8-depacketizer.js";

/** How long the reorder buffer waits for a missing packet (NACK retransmissions) before declaring it lost. */
export const DEFAULT_JITTER_LATENCY_MS = 100;

/**
 * RTP timestamps further apart than this (RTP time) are not one stream: a packet that far from the
 * newest is garbage or a sender that started over (confirmed by the next packet, see ReorderBuffer).
 */
const MAX_TIMESTAMP_JUMP_MS = 60_000;

/** A frame reassembled from RTP, with the raw RTP timestamp. */
export interface AssembledFrame {
  /** An exact-size private copy (the packets' buffers may be slices of Node's shared pool). */
  data: Uint8Array;
  rtpTimestamp: number;
  keyframe: boolean;
  receivedAt: number;
}

/** Why the assembler thinks the decoder needs a keyframe. */
export interface PacketLoss {
  /** First missing sequence number. */
  from: number;
  /** Last missing sequence number (inclusive). */
  to: number;
}

/** Options for {@link RtpFrameAssembler}. */
export interface RtpFrameAssemblerOptions {
  /** Only packets of this payload type are used (others ignored). */
  payloadType?: number;
  jitterLatencyMs?: number;
  onFrame: (frame: AssembledFrame) => void;
  onLoss: (loss: PacketLoss) => void;
  /** The stream started over (sender restart, SSRC change); `dropped` held packets were discarded. */
  onResync: (reason: ResyncReason, dropped: number) => void;
}

/**
 * RTP → VP8 frames on the main thread: a reorder buffer (sequence order, gives up on a gap after
 * `jitterLatencyMs` of RTP time) feeding an inline RFC 7741 depacketizer (a frame ends at the marker
 * bit). werift's `RtpSourceCallback` → `JitterBufferCallback` → `DepacketizeCallback` chain did the
 * same at several times the cost per frame (per-packet copies and date strings, bit-by-bit
 * descriptor parsing), and its jitter buffer discarded packets it held when it gave up on a gap.
 * Gaps are reported so the receiver can drop dependent frames and ask for a keyframe.
 */
export class RtpFrameAssembler {
  private readonly reorder: ReorderBuffer<RtpPacket>;
  private readonly depacketizer = new Vp8Depacketizer();
  private arrival = 0;
  private closed = false;

  constructor(private readonly options: RtpFrameAssemblerOptions) {
    const latencyMs = options.jitterLatencyMs ?? DEFAULT_JITTER_LATENCY_MS;
    this.reorder = new ReorderBuffer<RtpPacket>({
      maxWaitTicks: Math.round((latencyMs * VIDEO_RTP_CLOCK_HZ) / 1000),
      maxJumpTicks: (MAX_TIMESTAMP_JUMP_MS * VIDEO_RTP_CLOCK_HZ) / 1000,
      onPacket: (packet) => this.depacketize(packet),
      onLoss: (from, to) => this.lost(from, to),
      onResync: (reason, dropped) => {
        this.depacketizer.reset();
        this.options.onResync(reason, dropped);
      },
    });
  }

  /** Feeds one packet (not modified, and not retained past its frame). `receivedAt` (ms epoch) defaults to now. */
  push(packet: RtpPacket, receivedAt: number = Date.now()): void {
    if (this.closed) return;
    const { header } = packet;
    if (this.options.payloadType !== undefined && header.payloadType !== this.options.payloadType) return;
    this.arrival = receivedAt;
    this.reorder.push(header.sequenceNumber, header.timestamp, packet, header.ssrc);
  }

  /** Packets discarded by the reorder buffer (duplicates, late, not part of the stream). */
  get discarded(): number {
    return this.reorder.discarded;
  }

  /** Drops held packets. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reorder.reset();
    this.depacketizer.reset();
  }

  private depacketize(packet: RtpPacket): void {
    // A payload another consumer of the track cleared reads as empty: malformed, like a lost packet.
    const data = this.depacketizer.push(packet.payload ?? EMPTY, packet.header.marker);
    if (data === false) {
      const seq = packet.header.sequenceNumber;
      this.options.onLoss({ from: seq, to: seq });
      return;
    }
    if (data === undefined) return;
    this.options.onFrame({
      data,
      rtpTimestamp: packet.header.timestamp,
      keyframe: isVp8Keyframe(data),
      receivedAt: this.arrival,
    });
  }

  private lost(from: number, to: number): void {
    this.depacketizer.reset();
    this.options.onLoss({ from, to });
  }
}

const EMPTY = new Uint8Array(0);
