/** The Opus decoder worker's comlink object (the package's worker pattern, worker/comlink-host.ts). */

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

/** A decoded batch. */
export interface AudioBatchResult {
  results: AudioWorkResult[];
  /** Worker-side time spent decoding, concealing and resampling, ms. */
  decodeMs: number;
}

/** What the worker exposes. */
export interface AudioDecoderApi {
  init(settings: AudioDecoderInit): Promise<void>;
  /** Decodes a batch in order (item buffers transferred in, PCM buffers transferred back). */
  decode(items: AudioWorkItem[]): Promise<AudioBatchResult>;
  /** Frees libopus before the thread leaves. */
  close(): Promise<void>;
}
