import { Worker } from "node:worker_threads";
import { type ReactorError, reactorError } from "@reactor-node/protocol";
import type { Logger } from "../logger.js";
import type { EncoderParams, EncoderRequest, EncoderResponse, WireState } from "./encoder-protocol.js";
import {
  DEFAULT_CACHE_DIR,
  EncodedLoop,
  loopCacheFile,
  loopCacheKey,
  readLoopFile,
  writeLoopFile,
} from "./loop-cache.js";
import type { EncodedFrame } from "./vp8-encoder.js";

/** The video module's logger: the shared pino-compatible shape; silent without one. */
export type VideoLogger = Logger;

/** Completed loops kept in memory across encoder lifetimes (≈5 MB each at 360p, ≈12 MB at 720p). */
export const LOOP_MEMORY_CACHE_ENTRIES = 4;

// Module-wide so a loop outlives the worker that built it: the next session of the same shape
// starts without touching the disk or spawning a worker.
const completedLoops = new Map<string, EncodedLoop>();

function rememberLoop(loop: EncodedLoop): void {
  completedLoops.delete(loop.key);
  completedLoops.set(loop.key, loop);
  while (completedLoops.size > LOOP_MEMORY_CACHE_ENTRIES) {
    const oldest = completedLoops.keys().next().value;
    if (oldest === undefined) break;
    completedLoops.delete(oldest);
  }
}

/** Forgets every loop held in memory (tests use it to force a disk or worker path). */
export function clearLoopMemoryCache(): void {
  completedLoops.clear();
}

// From src/*.ts (vitest) there is no compiled worker beside this file; use the built one.
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts")
    ? new URL("../../dist/video/encoder-worker.js", here)
    : new URL("./encoder-worker.js", here);
}

/** Options of the shared encoder. */
export interface VideoEncoderOptions {
  /** Directory for encoded loops; `false` disables the disk cache. Default os.tmpdir()/reactor-testkit-cache. */
  cacheDir?: string | false;
  logger?: VideoLogger;
}

/** Counters for tests and benchmarks. */
export interface VideoEncoderStats {
  /** Worker threads currently alive (0 or 1). */
  workers: number;
  /** Workers spawned over the service's life. */
  workersSpawned: number;
  /** Open leases. */
  refs: number;
  /** Live streams with an encoder context. */
  liveStreams: number;
  /** Loops built by the worker / read from disk / served from memory. */
  loopsEncoded: number;
  loopsFromDisk: number;
  loopsFromMemory: number;
}

/**
 * One encoder worker shared by every video source of the process, ref-counted: the worker is
 * spawned lazily on the first loop build or live frame and terminated when the last lease
 * closes. Serving N sessions of the same shape costs one loop and, while every session shows
 * the default state, no encoding at all.
 */
export class VideoEncoderService {
  private worker: Worker | null = null;
  private nextId = 1;
  private nextStream = 1;
  private refs = 0;
  private readonly pending = new Map<number, { resolve: (f: EncodedFrame) => void; reject: (e: Error) => void }>();
  private readonly building = new Map<number, EncodedLoop>();
  private readonly loops = new Map<string, EncodedLoop>();
  private readonly liveStreams = new Set<number>();
  private readonly counters = { workersSpawned: 0, loopsEncoded: 0, loopsFromDisk: 0, loopsFromMemory: 0 };
  private readonly cacheDir: string | false;
  private readonly logger: VideoLogger | undefined;
  private closed = false;

  constructor(options: VideoEncoderOptions = {}) {
    this.cacheDir = options.cacheDir === undefined ? DEFAULT_CACHE_DIR : options.cacheDir;
    this.logger = options.logger;
  }

  /** Takes a reference; pair it with {@link release}. */
  retain(): void {
    if (this.closed) throw reactorError("ABORTED", "the video encoder service is closed");
    this.refs++;
  }

  /**
   * Drops a reference; the last one terminates the worker. If a loop is still being built, the
   * worker first finishes it (≈3 s at 360p, ≈10 s at 720p, once per machine) so that it lands
   * in the caches: tests that open and close a session in under a second must not rebuild the
   * loop every time. The returned promise does not wait for that.
   */
  async release(): Promise<void> {
    if (this.refs === 0) return;
    this.refs--;
    if (this.refs > 0) return;
    if (this.worker && this.building.size > 0) {
      const builds = [...this.building.values()].map((loop) => loop.whenComplete().catch(() => {}));
      void Promise.all(builds).then(() => (this.refs === 0 ? this.close() : undefined));
      return;
    }
    await this.close();
  }

  /** Current counters. */
  stats(): VideoEncoderStats {
    return {
      workers: this.worker ? 1 : 0,
      refs: this.refs,
      liveStreams: this.liveStreams.size,
      ...this.counters,
    };
  }

  /**
   * The loop for (params, state): from memory, else from disk, else built by the worker.
   * Returns at once; await `whenPlayable()` on the result.
   * @internal What the video source plays.
   */
  loop(params: EncoderParams, state: WireState): EncodedLoop {
    const key = loopCacheKey(params, state);
    const remembered = completedLoops.get(key);
    if (remembered) {
      this.counters.loopsFromMemory++;
      rememberLoop(remembered);
      return remembered;
    }
    const existing = this.loops.get(key);
    if (existing && !existing.failure) return existing;
    const loop = new EncodedLoop(key, params);
    this.loops.set(key, loop);
    void this.fillLoop(loop, state);
    return loop;
  }

  private async fillLoop(loop: EncodedLoop, state: WireState): Promise<void> {
    const file = this.cacheDir === false ? null : loopCacheFile(this.cacheDir, loop.params, loop.key);
    const cached = file ? await readLoopFile(file, loop.key) : null;
    if (cached) {
      this.counters.loopsFromDisk++;
      this.loops.delete(loop.key);
      loop.origin = "disk";
      loop.addChunk(0, cached.delta, cached.keyframes, cached.black);
      loop.finish();
      rememberLoop(loop);
      this.logger?.debug({ file }, "video loop read from disk cache");
      return;
    }
    if (this.closed) {
      loop.fail(reactorError("ABORTED", "the video encoder service is closed"));
      return;
    }
    const id = this.nextId++;
    loop.origin = "worker";
    this.building.set(id, loop);
    this.post({ type: "loop", id, params: loop.params, state });
    try {
      await loop.whenComplete();
    } catch {
      this.loops.delete(loop.key);
      return;
    }
    this.counters.loopsEncoded++;
    this.loops.delete(loop.key);
    rememberLoop(loop);
    this.logger?.debug(
      { width: loop.params.width, height: loop.params.height, encodeMs: Math.round(loop.encodeMs) },
      "video loop encoded",
    );
    if (file && this.cacheDir !== false) {
      const dir = this.cacheDir;
      await writeLoopFile(file, dir, loop).catch((error: unknown) => {
        this.logger?.warn({ err: error, file }, "could not write the video loop cache");
      });
    }
  }

  /** @internal A new live stream id (one encoder context in the worker, created on its first frame). */
  openLiveStream(): number {
    const id = this.nextStream++;
    this.liveStreams.add(id);
    return id;
  }

  /** @internal Renders and encodes frame `frameNumber` of a live stream. */
  encodeLive(
    stream: number,
    params: EncoderParams,
    frameNumber: number,
    keyframe: boolean,
    state?: WireState,
  ): Promise<EncodedFrame> {
    if (this.closed) return Promise.reject(reactorError("ABORTED", "the video encoder service is closed"));
    const id = this.nextId++;
    return new Promise<EncodedFrame>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: "live", id, stream, params, frameNumber, keyframe, ...(state && { state }) });
    });
  }

  /** @internal Frees a live stream's encoder context (a later frame on the same id starts a new one). */
  closeLiveStream(stream: number): void {
    this.liveStreams.delete(stream);
    if (this.worker) this.post({ type: "closeLive", stream });
  }

  /**
   * Changes whenever a new worker is spawned: a respawned worker has lost every live encoder
   * context, so a live stream that sees a new generation resends its state.
   */
  get generation(): number {
    return this.counters.workersSpawned;
  }

  private post(request: EncoderRequest): void {
    this.ensureWorker().postMessage(request);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerUrl());
    this.counters.workersSpawned++;
    worker.on("message", (message: EncoderResponse) => this.onMessage(message));
    worker.on("error", (error) => this.onWorkerGone(worker, error));
    worker.on("exit", (code) => {
      if (this.worker === worker) {
        this.onWorkerGone(worker, new Error(`encoder worker exited with code ${code}`));
      }
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(message: EncoderResponse): void {
    switch (message.type) {
      case "loopChunk": {
        const loop = this.building.get(message.id);
        if (!loop) return;
        loop.encodeMs += message.encodeMs;
        loop.addChunk(message.start, message.delta, message.key, message.black);
        return;
      }
      case "loopDone": {
        const loop = this.building.get(message.id);
        this.building.delete(message.id);
        loop?.finish();
        return;
      }
      case "frame": {
        const p = this.pending.get(message.id);
        this.pending.delete(message.id);
        p?.resolve({ data: message.data, keyframe: message.keyframe });
        return;
      }
      case "error": {
        const error = reactorError("WORKER_CRASHED", `video encoder: ${message.message}`);
        const p = this.pending.get(message.id);
        this.pending.delete(message.id);
        p?.reject(error);
        const loop = this.building.get(message.id);
        this.building.delete(message.id);
        loop?.fail(error);
        if (p || loop) this.logger?.error({ err: error }, "video encoder request failed");
        return;
      }
    }
  }

  // A crashed worker takes every in-flight request and live context with it; the next request
  // spawns a fresh one (sources notice via `generation` and resend their state + a keyframe).
  private onWorkerGone(worker: Worker, cause: unknown): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const error: ReactorError = reactorError("WORKER_CRASHED", "the video encoder worker died", { cause });
    if (!this.closed) this.logger?.error({ err: error }, "video encoder worker died");
    this.failAll(error);
    void worker.terminate().catch(() => {});
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    for (const loop of this.building.values()) loop.fail(error);
    this.building.clear();
  }

  /** Terminates the worker and fails in-flight work (idempotent). Usually reached via {@link release}. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failAll(reactorError("ABORTED", "the video encoder service closed"));
    this.loops.clear();
    this.liveStreams.clear();
    if (worker) await worker.terminate();
  }

  /** True once closed. */
  get isClosed(): boolean {
    return this.closed;
  }
}

let shared: { service: VideoEncoderService; key: string } | null = null;

/**
 * Takes a lease on the process-wide encoder service (created on demand). Leases with a different
 * `cacheDir` than the running service get a private service. Close the lease with
 * `release()`; the last one terminates the worker.
 */
export function acquireVideoEncoder(options: VideoEncoderOptions = {}): VideoEncoderService {
  const key = String(options.cacheDir ?? DEFAULT_CACHE_DIR);
  if (!shared || shared.service.isClosed) {
    shared = { service: new VideoEncoderService(options), key };
  } else if (shared.key !== key) {
    const own = new VideoEncoderService(options);
    own.retain();
    return own;
  }
  shared.service.retain();
  return shared.service;
}

/** Counters of the process-wide encoder service (zeros when none is running). */
export function sharedVideoEncoderStats(): VideoEncoderStats {
  if (shared && !shared.service.isClosed) return shared.service.stats();
  return {
    workers: 0,
    workersSpawned: 0,
    refs: 0,
    liveStreams: 0,
    loopsEncoded: 0,
    loopsFromDisk: 0,
    loopsFromMemory: 0,
  };
}
