import type { FrameFormat } from "../frame.js";

/** Which VP8 encoder runs in the worker: libav.js WASM or `node-av` (FFmpeg's libvpx). */
export type EncoderBackend = "wasm" | "native";

/** One picture handed to the encoder worker (its buffer is transferred). */
export interface VideoEncodeInput {
  data: Uint8Array;
  width: number;
  height: number;
  format: FrameFormat;
  /** Presentation time on the 90 kHz clock, strictly increasing. */
  pts90k: number;
  keyframe: boolean;
  /** Target bitrate for this picture; a change reconfigures the encoder (and makes a keyframe). */
  bitrate: number;
  fps: number;
}

/** What the worker made of a {@link VideoEncodeInput} (both buffers are transferred). */
export interface VideoEncodeOutput {
  data: Uint8Array;
  /** The input's buffer, handed back for the next picture (the main thread pools it). */
  input: Uint8Array;
  keyframe: boolean;
  /** The encoder was (re)created for this picture: a new size or bitrate. */
  reconfigured: boolean;
  /** Worker time converting to I420 and encoding, ms. */
  convertMs: number;
  encodeMs: number;
}

/** 20 ms or any other amount of PCM handed to an audio encoder worker. */
export interface AudioEncodeInput {
  /** Interleaved int16. */
  data: Int16Array;
  sampleRate: number;
  channels: number;
}

/** Opus packets completed by an {@link AudioEncodeInput}, 20 ms each, in order. */
export interface AudioEncodeOutput {
  packets: Uint8Array[];
  encodeMs: number;
}

/** What an encoder worker is started for. */
export type EncoderWorkerInit =
  | { kind: "video"; backend: EncoderBackend }
  | { kind: "audio"; channels: 1 | 2; bitrate: number };

/**
 * The encoder worker's object, called through comlink. One worker per published track: a VP8
 * or an Opus encoder is stateful.
 */
export interface EncoderWorkerApi {
  /** Loads the backend (and, for audio, opens Opus with `channels`). Rejects with a typed message when it cannot. */
  init(settings: EncoderWorkerInit): Promise<void>;
  /** Encodes one picture; (re)creates the encoder first when the size or bitrate changed. */
  encodeVideo(input: VideoEncodeInput): Promise<VideoEncodeOutput>;
  encodeAudio(input: AudioEncodeInput): AudioEncodeOutput;
  /** Frees the encoder (before the thread is asked to leave). */
  release(): void;
}
