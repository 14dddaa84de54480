/** Main thread ↔ Opus decoder worker, over the worker's own port (same shape as the video decoder's). */

/** How the worker decodes and what it delivers. */
export interface AudioDecoderInit {
  /** Output sample rate, Hz. */
  sampleRate: number;
  /** Output channels (1 or 2). */
  channels: number;
}

/** One unit of work: a packet to decode, or a gap to conceal. Buffers are transferred. */
export type AudioWorkItem =
  | { kind: "packet"; id: number; data: Uint8Array }
  /** `samples` (per channel, 48 kHz) went missing before the next packet. */
  | { kind: "gap"; id: number; samples: number };

/** What became of one item. `data` is interleaved int16 at the output rate (may be empty). */
export type AudioWorkResult =
  | { id: number; status: "decoded" | "concealed"; data: Int16Array }
  | { id: number; status: "error"; message: string };

/** Main thread → worker. */
export type AudioWorkerRequest =
  | { type: "init"; id: number; settings: AudioDecoderInit }
  | { type: "decode"; id: number; items: AudioWorkItem[] }
  /** Fault injection: exit abruptly as a crash would. No reply. */
  | { type: "crash" }
  /** Exit once idle. */
  | { type: "close" };

/** Worker → main thread. */
export type AudioWorkerReply =
  | { id: number; ok: true; results?: AudioWorkResult[]; decodeMs?: number }
  | { id: number; ok: false; error: { name: string; message: string } };
