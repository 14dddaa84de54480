import { DepacketizeCallback, JitterBufferCallback, RtpPacket, RtpSourceCallback, uint16Add } from "werift/nonstandard";
import { VIDEO_CLOCK_RATE_HZ } from "./rtp-clock.js";

/** How long the jitter buffer waits for a missing packet (NACK retransmissions) before declaring it lost. */
export const DEFAULT_JITTER_LATENCY_MS = 100;

/** A frame reassembled from RTP, with the raw RTP timestamp. */
export interface AssembledFrame {
  /** A private copy: werift's frame buffers may come from Node's shared pool and must not be transferred. */
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
}

/**
 * RTP → VP8 frames on the main thread with werift's processors: source → jitter buffer (reorder,
 * give up after a latency) → depacketizer (frame ends at the marker bit). Reports sequence gaps
 * that survive the jitter buffer so the receiver can drop dependent frames and ask for a keyframe.
 */
export class RtpFrameAssembler {
  private readonly source: RtpSourceCallback;
  private readonly jitter: InstanceType<typeof JitterBufferCallback>;
  private readonly depacketizer: InstanceType<typeof DepacketizeCallback>;
  private lastSeq: number | undefined;
  private arrival = 0;
  private closed = false;

  constructor(private readonly options: RtpFrameAssemblerOptions) {
    this.source = new RtpSourceCallback({ payloadType: options.payloadType, clearInvalidPTPacket: false });
    this.jitter = new JitterBufferCallback(VIDEO_CLOCK_RATE_HZ, {
      latency: options.jitterLatencyMs ?? DEFAULT_JITTER_LATENCY_MS,
    });
    // Without isFinalPacketInSequence the depacketizer emits one "frame" per packet.
    this.depacketizer = new DepacketizeCallback("vp8", { isFinalPacketInSequence: (h) => h.marker });
    this.source.pipe((out) => this.jitter.input(out));
    this.jitter.pipe((out) => {
      // The jitter buffer reports a timeout as `isPacketLost` and then releases the later packets;
      // checking continuity of what it releases catches that case and any other gap exactly once.
      // When it times out it also skips packets it still holds (they count as lost here), and may
      // release those later, behind the stream: such stragglers are ignored.
      if (!out.rtp) return;
      const seq = out.rtp.header.sequenceNumber;
      if (this.lastSeq !== undefined && seq !== uint16Add(this.lastSeq, 1)) {
        if (((seq - this.lastSeq) & 0xffff) >= 0x8000) return;
        this.options.onLoss({ from: uint16Add(this.lastSeq, 1), to: uint16Add(seq, -1) });
      }
      this.lastSeq = seq;
      this.depacketizer.input({ rtp: out.rtp, time: this.arrival });
    });
    this.depacketizer.pipe((out) => {
      const frame = out.frame;
      if (!frame || frame.data.length === 0) return;
      this.options.onFrame({
        data: new Uint8Array(frame.data),
        rtpTimestamp: frame.timestamp as number,
        keyframe: frame.isKeyframe,
        receivedAt: frame.time,
      });
    });
  }

  /** Feeds one packet. `receivedAt` (ms epoch) defaults to now. */
  push(packet: RtpPacket, receivedAt: number = Date.now()): void {
    if (this.closed) return;
    this.arrival = receivedAt;
    // werift's depacketizer clear()s packets it consumed (payload = null); hand it a shallow copy so
    // other listeners of the same track still see the payload.
    this.source.input(new RtpPacket(packet.header, packet.payload));
  }

  /** Releases werift's processors. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.source.destroy();
    this.jitter.destroy();
    this.depacketizer.destroy();
  }
}
