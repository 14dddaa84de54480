/**
 * Messages between a session and the worker that decodes (and, while the model applies an
 * effect, re-encodes) one published video track. The session moves bytes; the worker does all
 * codec work.
 */

/** An effect to apply before re-encoding (the echo model's `set_effect` / `set_intensity`). */
export interface EchoEffect {
  effect: string;
  intensity: number;
  /** Target of the re-encoded stream, bits/s; 0 = the default for the picture size. */
  bitrate: number;
  fps: number;
  /** Make the re-encoded frame a keyframe (a receiver asked, or the stream just switched). */
  keyframe: boolean;
}

/** Session → worker. */
export type EchoRequest =
  /** Decode one published VP8 frame (buffer transferred); re-encode it with `effect` when given. */
  | { type: "frame"; id: number; data: Uint8Array; effect?: EchoEffect }
  /** Forget the decoder's reference: the next frame is a keyframe after a loss. */
  | { type: "reset" };

/** What the worker read back from a decoded picture that carries the testkit's pattern. */
export interface EchoPatternReading {
  frameNumber: number;
  maxPatchError: number;
}

/** Worker → session. */
export type EchoResponse =
  | {
      type: "frame";
      id: number;
      width: number;
      height: number;
      /** The test pattern, when the picture shows one. */
      pattern: EchoPatternReading | null;
      /** The re-encoded frame, when an effect was asked for. */
      encoded?: { data: Uint8Array; keyframe: boolean };
      decodeMs: number;
    }
  | { type: "error"; id: number; message: string };
