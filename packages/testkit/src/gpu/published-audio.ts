/**
 * One published audio track as the echo model receives it: Opus packets forwarded unchanged to
 * the model's audio output (echo needs no processing), counted for the call history.
 */
import type { RtpPacket } from "werift";
import { newPublishedRecord, type PublishedRecord } from "./published-record.js";
import { PUBLISHED_REPORT_INTERVAL_MS } from "./published-video.js";

/** What a published audio track needs from its session. */
export interface PublishedAudioHost {
  /** Sends one Opus packet (20 ms) on the model's audio output. */
  emit(payload: Buffer): void;
  report(record: PublishedRecord): void;
}

/** See the file comment. */
export class PublishedAudio {
  readonly record: PublishedRecord;
  private lastSeq = -1;
  private lastReport = 0;
  private closed = false;

  constructor(
    private readonly host: PublishedAudioHost,
    sessionId: string,
    connectionId: number,
    track: string,
  ) {
    this.record = newPublishedRecord({ sessionId, connectionId, track, kind: "audio", mode: "forward" });
    host.report(structuredClone(this.record));
  }

  /** Feeds one RTP packet. Never throws. */
  pushRtp(packet: RtpPacket): void {
    if (this.closed) return;
    const seq = packet.header.sequenceNumber;
    if (this.lastSeq >= 0) {
      const gap = (seq - this.lastSeq + 0x10000) & 0xffff;
      if (gap === 0 || gap > 0x8000) return;
      this.record.lost += gap - 1;
    }
    this.lastSeq = seq;
    this.record.frames++;
    this.record.bytes += packet.payload.length;
    this.host.emit(packet.payload);
    this.record.echoed++;
    this.record.updatedAt = Date.now();
    if (performance.now() - this.lastReport >= PUBLISHED_REPORT_INTERVAL_MS) {
      this.lastReport = performance.now();
      this.host.report(structuredClone(this.record));
    }
  }

  /** Reports the record ended (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.record.endedAt = Date.now();
    this.host.report(structuredClone(this.record));
  }
}
