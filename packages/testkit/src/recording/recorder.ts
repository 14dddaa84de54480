/**
 * A session's recorder on the fake GPU: keeps the frames the model streamed (the last
 * {@link RECORDING_MAX_SECONDS}), answers `requestClip` / `requestRecording` at once with the
 * window and a path-only playlist URL, and once the recording timeline passes the end of the
 * chunk holding that window (as the runtime's chunk uploads do) cuts the clip into fMP4
 * segments and hands them to the coordinator. A clip starts at the first frame inside its
 * window that can start a decoder (a keyframe, or a loop frame's intra-coded twin), so a clip of
 * N seconds holds N seconds of the stream.
 */
import {
  CLIP_MAX_SECONDS,
  type ClipReadyWire,
  RECORDING_CHUNK_SECONDS,
  VIDEO_RTP_CLOCK_HZ,
} from "@reactor-node/protocol";
import type { SourceFrame } from "../video/source.js";
import { type Fmp4Sample, vp8InitSegment, vp8MediaSegment } from "./fmp4.js";

/** Recorded history kept per session; a recording of a longer session starts this far back. */
const RECORDING_MAX_SECONDS = CLIP_MAX_SECONDS;
/** Recorded bytes kept per session (the oldest frames go first beyond it). */
const RECORDING_MAX_BYTES = 96 * 1024 * 1024;
/** Clips waiting for their boundary chunk, per session. */
const RECORDING_MAX_PENDING_CLIPS = 16;

/** Whether and how a session records (the session body's `recording`). */
export interface RecordingSettings {
  enabled: boolean;
  chunkSeconds: number;
}

/** The runtime's default: off, 4 s chunks (the testkit turns it on for hosted sessions). */
export const DEFAULT_RECORDING: RecordingSettings = { enabled: false, chunkSeconds: RECORDING_CHUNK_SECONDS };

/** Where finished clips go (the coordinator, over the GPU link). */
export interface ClipSink {
  /** A clip was promised: the coordinator answers 202 for it until `done`. */
  pending(key: string, clip: ClipReadyWire): void;
  segment(key: string, index: number, durationS: number, data: Uint8Array): void;
  done(key: string, init: Uint8Array, segments: number, frames: { first: number; last: number; count: number }): void;
  failed(key: string, reason: string): void;
}

/** What the recorder reads from the video source. */
export interface RecordedSource {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  keyframeVariant(frame: SourceFrame): Uint8Array | undefined;
}

interface Recorded {
  frame: SourceFrame;
  /** Ticks of the 90 kHz clock since the first recorded frame. */
  ticks: number;
}

interface PendingClip {
  key: string;
  start: number;
  end: number;
  /** Recording time (s) the chunk holding `end` closes at. */
  boundary: number;
}

/** Outcome of a clip request: the `clipReady` payload, or the runtime's `clipFailed` reason. */
export type ClipAnswer = { ok: true; clip: ClipReadyWire } | { ok: false; reason: string };

/** See the file comment. */
export class SessionRecorder {
  private frames: Recorded[] = [];
  private bytes = 0;
  private origin: number | undefined;
  private last: number | undefined;
  private unwrapped = 0;
  private readonly pending: PendingClip[] = [];
  private finished = false;

  constructor(
    readonly sessionId: string,
    readonly settings: RecordingSettings,
    private readonly source: RecordedSource,
    private readonly sink: ClipSink,
  ) {}

  /** Records one frame the model emitted (the black boundary frame is not model output). */
  onFrame(frame: SourceFrame): void {
    if (!this.settings.enabled || this.finished || frame.boundary) return;
    const ts = frame.timestamp90k >>> 0;
    if (this.last !== undefined) this.unwrapped += (ts - this.last + 2 ** 32) % 2 ** 32;
    this.last = ts;
    this.origin ??= this.unwrapped;
    this.frames.push({ frame, ticks: this.unwrapped - this.origin });
    this.bytes += frame.data.length;
    const newest = this.unwrapped - this.origin;
    while (
      this.frames.length > 1 &&
      (this.bytes > RECORDING_MAX_BYTES || newest - this.frames[0]!.ticks > RECORDING_MAX_SECONDS * VIDEO_RTP_CLOCK_HZ)
    ) {
      this.bytes -= this.frames.shift()!.frame.data.length;
    }
    const now = this.now();
    for (const clip of [...this.pending]) if (clip.boundary <= now) this.build(clip);
  }

  /** Answers a clip (`durationSeconds`) or, without it, a recording of the whole session. */
  request(kind: "snap" | "recording", durationSeconds?: number): ClipAnswer {
    if (!this.settings.enabled || this.finished) return { ok: false, reason: "recorder disabled or encoder crashed" };
    if (this.frames.length === 0) return { ok: false, reason: "no media generated yet" };
    const now = this.now();
    const first = this.frames[0]!.ticks / VIDEO_RTP_CLOCK_HZ;
    let start = first;
    if (kind === "snap") {
      const d = Math.min(Number(durationSeconds), CLIP_MAX_SECONDS);
      if (!(d > 0)) return { ok: false, reason: "duration_seconds must be positive" };
      start = Math.max(first, now - d);
    }
    const startText = start.toFixed(3);
    const endText = now.toFixed(3);
    const key = `${startText}-${endText}`;
    const chunk = this.settings.chunkSeconds;
    const boundary = (Math.floor(now / chunk) + 1) * chunk;
    const clip: ClipReadyWire = {
      session_id: this.sessionId,
      kind,
      start_marker: Number(startText),
      end_marker: Number(endText),
      now_marker: Number(endText),
      predicted_ready_at_ms: Math.round(Date.now() + (boundary - now) * 1000),
      playlist_url: `/clips?${new URLSearchParams({ session_id: this.sessionId, start: startText, end: endText })}`,
    };
    if (!this.pending.some((p) => p.key === key)) {
      if (this.pending.length >= RECORDING_MAX_PENDING_CLIPS) {
        return { ok: false, reason: "too many clips are being prepared; try again shortly" };
      }
      this.pending.push({ key, start: Number(startText), end: Number(endText), boundary });
      this.sink.pending(key, clip);
    }
    return { ok: true, clip };
  }

  /** The session ends: every promised clip is cut now (its boundary will never come). Idempotent. */
  finish(): void {
    if (this.finished) return;
    for (const clip of [...this.pending]) this.build(clip);
    this.finished = true;
    this.frames = [];
    this.bytes = 0;
  }

  /** Recording time in seconds: the end of the newest frame. */
  private now(): number {
    const newest = this.frames.at(-1);
    if (!newest) return 0;
    return (newest.ticks + VIDEO_RTP_CLOCK_HZ / this.source.fps) / VIDEO_RTP_CLOCK_HZ;
  }

  private build(clip: PendingClip): void {
    this.pending.splice(this.pending.indexOf(clip), 1);
    const from = clip.start * VIDEO_RTP_CLOCK_HZ;
    const to = clip.end * VIDEO_RTP_CLOCK_HZ;
    const inWindow = this.frames.filter((r) => r.ticks >= from - 1 && r.ticks < to);
    let entry = inWindow.findIndex((r) => this.source.keyframeVariant(r.frame) !== undefined);
    let chosen = entry >= 0 ? inWindow.slice(entry) : [];
    if (entry < 0) {
      // No entry point inside the window: start at the last keyframe before it.
      const before = this.frames.filter((r) => r.ticks < from && r.frame.keyframe).at(-1);
      if (before) chosen = this.frames.filter((r) => r.ticks >= before.ticks && r.ticks < to);
      entry = 0;
    }
    if (chosen.length === 0) {
      this.sink.failed(clip.key, "no decodable frame in the window (evicted or not recorded)");
      return;
    }
    const frameTicks = VIDEO_RTP_CLOCK_HZ / this.source.fps;
    const t0 = chosen[0]!.ticks;
    const chunkTicks = this.settings.chunkSeconds * VIDEO_RTP_CLOCK_HZ;
    const segments: { baseTime: number; samples: Fmp4Sample[] }[] = [];
    chosen.forEach((r, i) => {
      const next = chosen[i + 1];
      const duration = Math.max(1, Math.round(next ? next.ticks - r.ticks : frameTicks));
      const data = i === 0 ? (this.source.keyframeVariant(r.frame) ?? r.frame.data) : r.frame.data;
      const index = Math.floor((r.ticks - t0) / chunkTicks);
      while (segments.length <= index) segments.push({ baseTime: r.ticks - t0, samples: [] });
      segments[index]!.samples.push({ data, keyframe: i === 0 || r.frame.keyframe, duration });
    });
    const nonEmpty = segments.filter((s) => s.samples.length > 0);
    let totalTicks = 0;
    nonEmpty.forEach((s, i) => {
      const ticks = s.samples.reduce((a, x) => a + x.duration, 0);
      totalTicks += ticks;
      this.sink.segment(clip.key, i, ticks / VIDEO_RTP_CLOCK_HZ, vp8MediaSegment(i + 1, s.baseTime, s.samples));
    });
    const init = vp8InitSegment(this.source.width, this.source.height, (totalTicks * 1000) / VIDEO_RTP_CLOCK_HZ);
    this.sink.done(clip.key, init, nonEmpty.length, {
      first: chosen[0]!.frame.frameNumber,
      last: chosen.at(-1)!.frame.frameNumber,
      count: chosen.length,
    });
  }
}
