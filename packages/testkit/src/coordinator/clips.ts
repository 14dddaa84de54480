/**
 * The coordinator's clip storage (docs/protocol.md §10): clips promised by a GPU (`clipPending`)
 * answer 202 until their segments arrive (`clipSegment` … `clipDone`), then 200 with an HLS
 * playlist; a clip that is gone (expired, evicted to stay within the byte budget, or whose GPU
 * never delivered) answers 410, one that never existed 404. Everything a GPU or client can grow
 * is bounded.
 */
import type { ClipReadyWire } from "@reactor-node/protocol";
import type { GpuMessage } from "../gpu/link.js";

/** Bytes of clip media kept across all sessions; the oldest finished clips are evicted first. */
const CLIP_STORE_MAX_BYTES = 512 * 1024 * 1024;
/** A finished clip is served this long. */
const CLIP_RETENTION_MS = 30 * 60 * 1000;
/** A promised clip whose media has not arrived by then is given up (its GPU died). */
const CLIP_PENDING_MAX_MS = 5 * 60 * 1000;
/** Clips known at once (finished, pending and tombstones of gone ones). */
const CLIP_STORE_MAX_ENTRIES = 2048;
/** Media segments of one clip, at most. */
const CLIP_MAX_SEGMENTS = 1024;
const SWEEP_INTERVAL_MS = 30 * 1000;

/** One clip as stored. */
export interface StoredClip {
  sessionId: string;
  key: string;
  gpuId: string;
  clip: ClipReadyWire;
  state: "pending" | "ready" | "gone";
  goneReason?: string;
  init?: Buffer;
  segments: Array<{ durationS: number; data: Buffer } | undefined>;
  frames?: { first: number; last: number; count: number };
  bytes: number;
  createdAt: number;
  readyAt?: number;
}

type ClipMessage = Extract<GpuMessage, { type: "clipPending" | "clipSegment" | "clipDone" | "clipFailed" }>;

/** See the file comment. */
export class ClipStore {
  private readonly clips = new Map<string, StoredClip>();
  private bytes = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** True for the link messages this store handles. */
  static handles(m: GpuMessage): m is ClipMessage {
    return m.type === "clipPending" || m.type === "clipSegment" || m.type === "clipDone" || m.type === "clipFailed";
  }

  /**
   * Applies a GPU's clip message. `owner` is the GPU the session is assigned to now; segments of a
   * clip are only taken from the GPU that promised it.
   */
  onGpuMessage(gpuId: string, owner: string | undefined, m: ClipMessage): void {
    const id = `${m.sessionId}/${m.key}`;
    const entry = this.clips.get(id);
    if (m.type === "clipPending") {
      if (entry || owner !== gpuId) return;
      this.makeRoom();
      this.clips.set(id, {
        sessionId: m.sessionId,
        key: m.key,
        gpuId,
        clip: m.clip,
        state: "pending",
        segments: [],
        bytes: 0,
        createdAt: this.now(),
      });
      return;
    }
    if (!entry || entry.gpuId !== gpuId || entry.state !== "pending") return;
    if (m.type === "clipFailed") {
      this.drop(entry, `the recorder could not cut this clip: ${m.reason}`);
      return;
    }
    if (m.type === "clipSegment") {
      if (m.index >= CLIP_MAX_SEGMENTS || entry.segments[m.index]) return;
      const data = Buffer.from(m.dataBase64, "base64");
      entry.segments[m.index] = { durationS: m.durationS, data };
      this.add(entry, data.length);
      return;
    }
    const complete = m.segments > 0 && m.segments <= CLIP_MAX_SEGMENTS && entry.segments.length === m.segments;
    if (!complete || entry.segments.some((s) => s === undefined)) {
      this.drop(entry, "the recorder delivered an incomplete clip");
      return;
    }
    entry.init = Buffer.from(m.initBase64, "base64");
    this.add(entry, entry.init.length);
    entry.frames = m.frames;
    entry.state = "ready";
    entry.readyAt = this.now();
    this.evictOverBudget();
  }

  /** The clip, if known (in any state). */
  get(sessionId: string, key: string): StoredClip | undefined {
    const entry = this.clips.get(`${sessionId}/${key}`);
    if (entry) this.expire(entry);
    return entry;
  }

  /** Every clip of a session (tests and history). */
  ofSession(sessionId: string): StoredClip[] {
    return [...this.clips.values()].filter((c) => c.sessionId === sessionId);
  }

  /** Drops a forgotten session's clips (their URLs then answer 404). */
  forgetSession(sessionId: string): void {
    for (const entry of this.ofSession(sessionId)) {
      this.bytes -= entry.bytes;
      this.clips.delete(`${entry.sessionId}/${entry.key}`);
    }
  }

  /** Media bytes held. */
  get size(): number {
    return this.bytes;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.clips.clear();
    this.bytes = 0;
  }

  private add(entry: StoredClip, n: number): void {
    entry.bytes += n;
    this.bytes += n;
  }

  private drop(entry: StoredClip, reason: string): void {
    this.bytes -= entry.bytes;
    entry.bytes = 0;
    entry.init = undefined;
    entry.segments = [];
    entry.state = "gone";
    entry.goneReason = reason;
  }

  private expire(entry: StoredClip): void {
    const now = this.now();
    if (entry.state === "ready" && now - (entry.readyAt ?? now) > CLIP_RETENTION_MS) {
      this.drop(entry, "the clip expired");
    } else if (entry.state === "pending" && now - entry.createdAt > CLIP_PENDING_MAX_MS) {
      this.drop(entry, "the clip's media never arrived");
    }
  }

  private evictOverBudget(): void {
    if (this.bytes <= CLIP_STORE_MAX_BYTES) return;
    const byAge = [...this.clips.values()].filter((c) => c.bytes > 0).sort((a, b) => a.createdAt - b.createdAt);
    for (const entry of byAge) {
      if (this.bytes <= CLIP_STORE_MAX_BYTES) break;
      this.drop(entry, "the clip was evicted to make room for newer ones");
    }
  }

  private makeRoom(): void {
    if (this.clips.size < CLIP_STORE_MAX_ENTRIES) return;
    // Forget the oldest tombstones first, then the oldest clips.
    const ordered = [...this.clips.values()].sort(
      (a, b) => Number(a.state !== "gone") - Number(b.state !== "gone") || a.createdAt - b.createdAt,
    );
    for (const entry of ordered.slice(0, this.clips.size - CLIP_STORE_MAX_ENTRIES + 1)) {
      this.bytes -= entry.bytes;
      this.clips.delete(`${entry.sessionId}/${entry.key}`);
    }
  }

  private sweep(): void {
    for (const entry of this.clips.values()) this.expire(entry);
  }
}
