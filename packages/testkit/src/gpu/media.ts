/**
 * Outbound media of one connection: VP8 frames from the session's video source packetized
 * with werift's `Vp8Packetizer` (payloads ≤ 1200 bytes, 90 kHz clock) and, when the model has
 * `main_audio`, one 20 ms Opus packet per tick (the session's tone). Each output track has a pause gate: tracks of a
 * connection with a `control` channel start paused until `resume_track`; legacy connections
 * start flowing.
 */
import { appendFrameMetadata, RTP_MAX_PAYLOAD_BYTES } from "@reactor-node/protocol";
import { type RTCRtpSender, RtpHeader, RtpPacket } from "werift";
import { Vp8Packetizer } from "werift/nonstandard";
import { OPUS_FRAME_MS, OPUS_FRAME_SAMPLES } from "../audio/tone.js";
import type { SourceFrame } from "../video/source.js";

/** Opus frame duration. */
export const AUDIO_FRAME_MS = OPUS_FRAME_MS;
/** RTP payload type the answerer gives Opus. */
const OPUS_PAYLOAD_TYPE = 111;

/** What a frame's trailer says besides its id (docs/protocol.md §6). */
export interface FrameTag {
  /** When the frame was captured (µs since the epoch). */
  captureTimeUs?: bigint;
  /** Opaque bytes travelling with the frame (a published frame's, echoed). */
  userData?: Uint8Array;
}

/** Counters for tests and benchmarks (what this connection sent; bytes are RTP payload bytes). */
export interface MediaStats {
  videoFrames: number;
  videoKeyframes: number;
  videoPackets: number;
  videoBytes: number;
  audioPackets: number;
  audioBytes: number;
}

/** A sender for one output track. */
export interface OutputTrack {
  name: string;
  kind: "video" | "audio";
  sender: RTCRtpSender;
  paused: boolean;
}

/** The outbound media of one connection. */
export class ConnectionMedia {
  readonly tracks = new Map<string, OutputTrack>();
  readonly stats: MediaStats = {
    videoFrames: 0,
    videoKeyframes: 0,
    videoPackets: 0,
    videoBytes: 0,
    audioPackets: 0,
    audioBytes: 0,
  };
  private readonly packetizer = new Vp8Packetizer({ maxPayloadSize: RTP_MAX_PAYLOAD_BYTES });
  private audioSeq = Math.floor(Math.random() * 0xffff);
  private audioTs = Math.floor(Math.random() * 0xffffffff);
  /** The answer echoed `a=x-reactor-frame-metadata:1`: every video frame gets a trailer. */
  frameMetadata = false;
  private frameIds = 0n;
  /** Video waits for a keyframe after a resume so the receiver can start decoding. */
  private needKeyframe = true;
  connected = false;

  /** Adds an output track; `paused` is the gate's initial state. */
  add(name: string, kind: "video" | "audio", sender: RTCRtpSender, paused: boolean): void {
    this.tracks.set(name, { name, kind, sender, paused });
  }

  /** Opens or closes a track's gate; returns false for an unknown track. */
  setPaused(name: string, paused: boolean): boolean {
    const track = this.tracks.get(name);
    if (!track) return false;
    if (track.kind === "video" && track.paused && !paused) this.needKeyframe = true;
    track.paused = paused;
    return true;
  }

  /** True when some video track would send the next frame (and so a keyframe should be asked for). */
  wantsKeyframe(): boolean {
    return (
      this.needKeyframe && this.connected && [...this.tracks.values()].some((t) => t.kind === "video" && !t.paused)
    );
  }

  /**
   * Sends one encoded frame on every open video track; with trailers negotiated, each frame
   * carries its id (counting from 1 on this connection), `captureTimeUs` and `userData`.
   */
  sendVideo(frame: SourceFrame, tag: FrameTag = {}): void {
    if (!this.connected) return;
    for (const track of this.tracks.values()) {
      if (track.kind !== "video" || track.paused) continue;
      if (this.needKeyframe && !frame.keyframe) continue;
      this.needKeyframe = false;
      const payload = this.frameMetadata
        ? appendFrameMetadata(frame.data, {
            frameId: ++this.frameIds,
            ...(tag.captureTimeUs !== undefined && { captureTimeUs: tag.captureTimeUs }),
            ...(tag.userData !== undefined && { userData: tag.userData }),
          })
        : frame.data;
      const data = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      const packets = this.packetizer.packetize(data, frame.timestamp90k);
      for (const packet of packets) void track.sender.sendRtp(packet).catch(() => {});
      this.stats.videoFrames++;
      if (frame.keyframe) this.stats.videoKeyframes++;
      this.stats.videoPackets += packets.length;
      for (const packet of packets) this.stats.videoBytes += packet.payload.length;
    }
  }

  /** Receivers decode again from the next keyframe (the output switched streams). */
  requireKeyframe(): void {
    this.needKeyframe = true;
  }

  /** Sends one 20 ms Opus packet on every open audio track (the RTP clock runs while paused too). */
  sendAudioTick(packet: Uint8Array): void {
    if (!this.connected) return;
    this.audioSeq = (this.audioSeq + 1) & 0xffff;
    this.audioTs = (this.audioTs + OPUS_FRAME_SAMPLES) % 2 ** 32;
    const payload = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
    for (const track of this.tracks.values()) {
      if (track.kind !== "audio" || track.paused) continue;
      const header = new RtpHeader({
        payloadType: OPUS_PAYLOAD_TYPE,
        sequenceNumber: this.audioSeq,
        timestamp: this.audioTs,
        marker: false,
      });
      void track.sender.sendRtp(new RtpPacket(header, payload)).catch(() => {});
      this.stats.audioPackets++;
      this.stats.audioBytes += payload.length;
    }
  }
}
