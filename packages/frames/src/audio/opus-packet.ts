/** What the Opus TOC byte says about a packet (RFC 6716 §3.1), read without decoding it. */

/** Samples per channel at 48 kHz of one frame, by TOC configuration number (RFC 6716 table 2). */
const FRAME_SAMPLES_BY_CONFIG = [
  // SILK NB, MB, WB: 10, 20, 40, 60 ms
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,
  // Hybrid SWB, FB: 10, 20 ms
  480, 960, 480, 960,
  // CELT NB, WB, SWB, FB: 2.5, 5, 10, 20 ms
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
];

/** Longest legal Opus packet duration: 120 ms at 48 kHz. */
const OPUS_MAX_PACKET_SAMPLES = 5760;

/**
 * Samples per channel (at 48 kHz) a packet decodes to, or undefined when the packet is empty or
 * malformed (a frame count of 0, or more than 120 ms).
 */
export function opusPacketSamples(packet: Uint8Array): number | undefined {
  if (packet.length === 0) return undefined;
  const toc = packet[0]!;
  const frame = FRAME_SAMPLES_BY_CONFIG[toc >> 3]!;
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 1 || code === 2) frames = 2;
  else {
    if (packet.length < 2) return undefined;
    frames = packet[1]! & 0x3f;
  }
  const samples = frames * frame;
  return samples === 0 || samples > OPUS_MAX_PACKET_SAMPLES ? undefined : samples;
}
