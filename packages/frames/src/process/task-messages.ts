import type { VideoFrame } from "../frame.js";

/** What the pool sends to a processing thread (the pixel buffer is transferred, not copied). */
export interface FrameTask {
  moduleUrl: string;
  frame: VideoFrame;
}

/** What a processing thread answers; user errors travel as values so a rejection means the thread died. */
export type FrameTaskOutcome =
  | { kind: "ok"; value: unknown }
  | { kind: "error"; error: unknown }
  | { kind: "loadError"; message: string };
