/**
 * The session's `main_audio` packets: the current tone loop, one 20 ms Opus packet per tick,
 * shared by every connection. Until a frequency's loop is built the previous one keeps playing
 * (digital silence before the very first), so a `set_tone` never opens a gap in the stream.
 */
import type { Logger } from "../logger.js";
import { roundToneFrequency, TONE_DEFAULT_HZ } from "./tone.js";
import { toneLoop } from "./tone-loops.js";

/** One Opus frame of digital silence (TOC 0xf8: CELT fullband 20 ms, mono). */
export const OPUS_SILENCE_PACKET = Uint8Array.from([0xf8, 0xff, 0xfe]);

/** See the file comment. */
export class ToneSource {
  private packets: Uint8Array[] | null = null;
  private index = 0;
  private wanted: number;
  private playing: number | undefined;
  private closed = false;

  constructor(
    private readonly logger: Logger,
    frequencyHz: number = TONE_DEFAULT_HZ,
  ) {
    this.wanted = roundToneFrequency(frequencyHz);
    this.load(this.wanted);
  }

  /** The frequency asked for last (whole hertz). */
  get frequency(): number {
    return this.wanted;
  }

  /** The frequency on the wire now, once a loop plays. */
  get playingFrequency(): number | undefined {
    return this.playing;
  }

  /** Switches to another tone (rounded to whole hertz); takes effect once its loop is built. */
  setFrequency(frequencyHz: number): void {
    const next = roundToneFrequency(frequencyHz);
    if (next === this.wanted) return;
    this.wanted = next;
    this.load(next);
  }

  /** The next 20 ms packet. */
  next(): Uint8Array {
    const packets = this.packets;
    if (!packets) return OPUS_SILENCE_PACKET;
    const packet = packets[this.index % packets.length]!;
    this.index = (this.index + 1) % packets.length;
    return packet;
  }

  /** Stops switching loops (idempotent). */
  close(): void {
    this.closed = true;
  }

  private load(frequencyHz: number): void {
    toneLoop(frequencyHz).then(
      (packets) => {
        if (this.closed || this.wanted !== frequencyHz) return;
        this.packets = packets;
        this.playing = frequencyHz;
      },
      (error: unknown) => this.logger.error({ err: error, frequencyHz }, "tone loop failed; audio stays as it was"),
    );
  }
}
