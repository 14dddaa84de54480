import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EncoderParams, WireState } from "./encoder-protocol.js";
import { LOOP_FRAMES } from "./frame-number.js";
import { fnv1a32 } from "./hash.js";

/**
 * The pre-encoded loop: one black boundary keyframe, a chain of LOOP_FRAMES frames (index 0 a
 * keyframe, the rest deltas predicting from LAST only) and keyframe variants at even indices.
 * Built once per (size, fps, bitrate, state) by the encoder worker, filled progressively so
 * playback can start after the first chunk, kept in memory and optionally on disk.
 */

/**
 * Bump when the picture, the encoder settings or the file layout change: stale files under the
 * cache directory are then simply never read again.
 */
export const LOOP_FORMAT_VERSION = 1;

/** Default on-disk cache directory. */
export const DEFAULT_CACHE_DIR = join(tmpdir(), "reactor-testkit-cache");

const FILE_MAGIC = 0x4c565852; // "RXVL" little-endian

/** A stable identity for a loop: everything its bytes depend on. */
export function loopCacheKey(params: EncoderParams, state: WireState): string {
  return JSON.stringify({
    v: LOOP_FORMAT_VERSION,
    frames: LOOP_FRAMES,
    codec: "vp8/libav.js-6.10.9",
    w: params.width,
    h: params.height,
    fps: params.fps,
    bitrate: params.bitrate,
    effect: state.effect,
    intensity: state.intensity,
    caption: state.caption,
    overlay: state.overlay ? `${state.overlay.length}:${fnv1a32(state.overlay)}` : null,
    overlayStrength: state.overlayStrength,
  });
}

/** A loop being built or ready; frames fill in from index 0 upwards. */
export class EncodedLoop {
  black: Uint8Array | null = null;
  readonly delta: (Uint8Array | undefined)[] = new Array(LOOP_FRAMES);
  readonly keyframes: (Uint8Array | null | undefined)[] = new Array(LOOP_FRAMES);
  /** Frames 0..available-1 are present. */
  available = 0;
  complete = false;
  failure: Error | null = null;
  /** Encoder busy time spent building this loop, ms (0 when it came from disk). */
  encodeMs = 0;
  /** Where the bytes came from. */
  origin: "worker" | "disk" | "pending" = "pending";
  private readonly firstWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly doneWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(
    readonly key: string,
    readonly params: EncoderParams,
  ) {}

  /** Resolves once the black frame and frame 0 can be played. */
  whenPlayable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.black && this.available > 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.firstWaiters.push({ resolve, reject }));
  }

  /** Resolves once every frame is present. */
  whenComplete(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.complete) return Promise.resolve();
    return new Promise((resolve, reject) => this.doneWaiters.push({ resolve, reject }));
  }

  /** Adds a contiguous chunk of frames. */
  addChunk(start: number, delta: Uint8Array[], key: (Uint8Array | null)[], black?: Uint8Array): void {
    if (black) this.black = black;
    for (let i = 0; i < delta.length; i++) {
      this.delta[start + i] = delta[i];
      this.keyframes[start + i] = key[i] ?? null;
    }
    if (start === this.available) this.available = start + delta.length;
    if (this.black && this.available > 0) for (const w of this.firstWaiters.splice(0)) w.resolve();
  }

  /** Marks the loop complete. */
  finish(): void {
    this.complete = this.available === LOOP_FRAMES && this.black !== null;
    if (!this.complete) {
      this.fail(new Error(`loop ended with ${this.available}/${LOOP_FRAMES} frames`));
      return;
    }
    for (const w of this.firstWaiters.splice(0)) w.resolve();
    for (const w of this.doneWaiters.splice(0)) w.resolve();
  }

  /** Marks the loop failed; waiters reject. */
  fail(error: Error): void {
    if (this.complete || this.failure) return;
    this.failure = error;
    for (const w of this.firstWaiters.splice(0)) w.reject(error);
    for (const w of this.doneWaiters.splice(0)) w.reject(error);
  }

  /** Total encoded bytes held. */
  get byteLength(): number {
    let n = this.black?.length ?? 0;
    for (let i = 0; i < LOOP_FRAMES; i++) n += (this.delta[i]?.length ?? 0) + (this.keyframes[i]?.length ?? 0);
    return n;
  }
}

/** The cache file for a key inside `dir`. */
export function loopCacheFile(dir: string, params: EncoderParams, key: string): string {
  const digest = createHash("sha256").update(key).digest("hex").slice(0, 16);
  return join(dir, `vp8-loop-v${LOOP_FORMAT_VERSION}-${params.width}x${params.height}@${params.fps}-${digest}.bin`);
}

// File: u32 magic, u32 version, u32 key length, key (UTF-8), then 1 + 2·LOOP_FRAMES records of
// u32 length + bytes: black, chain[0..], keyframes[0..] (length 0 = no variant).
function serialise(loop: EncodedLoop): Buffer {
  const keyBytes = Buffer.from(loop.key, "utf8");
  const records: (Uint8Array | null | undefined)[] = [loop.black, ...loop.delta, ...loop.keyframes];
  let size = 12 + keyBytes.length;
  for (const r of records) size += 4 + (r?.length ?? 0);
  const out = Buffer.alloc(size);
  let off = 0;
  off = out.writeUInt32LE(FILE_MAGIC, off);
  off = out.writeUInt32LE(LOOP_FORMAT_VERSION, off);
  off = out.writeUInt32LE(keyBytes.length, off);
  off += keyBytes.copy(out, off);
  for (const r of records) {
    off = out.writeUInt32LE(r?.length ?? 0, off);
    if (r) {
      out.set(r, off);
      off += r.length;
    }
  }
  return out;
}

/** The frames of a cached loop file. */
export interface LoopFileContents {
  black: Uint8Array;
  delta: Uint8Array[];
  keyframes: (Uint8Array | null)[];
}

/** Reads the cached loop for `key`; null when absent, stale or damaged. */
export async function readLoopFile(file: string, key: string): Promise<LoopFileContents | null> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return null;
  }
  try {
    let off = 0;
    const u32 = () => {
      const v = buf.readUInt32LE(off);
      off += 4;
      return v;
    };
    if (u32() !== FILE_MAGIC || u32() !== LOOP_FORMAT_VERSION) return null;
    const keyLength = u32();
    if (buf.toString("utf8", off, off + keyLength) !== key) return null;
    off += keyLength;
    const records: Uint8Array[] = [];
    for (let i = 0; i < 1 + 2 * LOOP_FRAMES; i++) {
      const len = u32();
      if (off + len > buf.length) return null;
      records.push(new Uint8Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + len)));
      off += len;
    }
    const black = records[0];
    const delta = records.slice(1, 1 + LOOP_FRAMES);
    if (!black || black.length === 0 || delta.some((d) => d.length === 0)) return null;
    const keyframes = records.slice(1 + LOOP_FRAMES).map((k) => (k.length === 0 ? null : k));
    return { black, delta, keyframes };
  } catch {
    return null;
  }
}

/** Writes a complete loop atomically (temp file + rename), creating `dir` if needed. */
export async function writeLoopFile(file: string, dir: string, loop: EncodedLoop): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, serialise(loop));
  await rename(tmp, file);
}
