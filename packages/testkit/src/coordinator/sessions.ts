/**
 * The session state machine. `CREATED` → `PENDING` → `WAITING` (in the GPU queue, gpu-queue.ts,
 * while no GPU is free) → `ACTIVE` (+ capabilities and `selected_transport`) once a GPU accepts;
 * after the last connection drops → `INACTIVE`, and `CLOSED` (GPU freed) when nobody
 * reconnects within the reconnect window. `restart` (PUT) re-queues an INACTIVE session. The
 * GPU's link messages about a session land here too.
 */
import { randomUUID } from "node:crypto";
import { LOCAL_SESSION_ID, SessionState, UPLOAD_RESOLVE_TIMEOUT_MS } from "@reactor-node/protocol";
import { type FaultSpec, findFault } from "../faults/spec.js";
import type { GpuMessage } from "../gpu/link.js";
import type { CallHistory, UnhandledRecord } from "../history.js";
import type { Logger } from "../logger.js";
import type { ModelConfig } from "../model/config.js";
import type { RecordingSettings } from "../recording/recorder.js";
import type { Timings } from "../timings.js";
import { ClipStore } from "./clips.js";
import type { ConnectionManager } from "./connections.js";
import type { GpuHandle, GpuPool } from "./gpu-pool.js";
import { GpuQueue } from "./gpu-queue.js";
import { recordGpuReport } from "./gpu-reports.js";
import { HttpError } from "./http.js";
import { Session } from "./session.js";
import type { UploadStore } from "./uploads.js";

/** CLOSED sessions (and their uploads) are forgotten this long after they closed. */
const CLOSED_SESSION_RETENTION_MS = 10 * 60 * 1000;
const SWEEP_INTERVAL_MS = 60 * 1000;

/** What the manager is built from. */
export interface SessionManagerDeps {
  pool: GpuPool;
  connections: ConnectionManager;
  uploads: UploadStore;
  clips: ClipStore;
  history: CallHistory;
  logger: Logger;
  timings: Timings;
  /** Reconnect window of local-mode sessions. */
  localReconnectWindowMs: number;
  /** Hands undecodable data-channel frames to the `onUnhandled` strategy. */
  reportUnhandled(record: UnhandledRecord): void;
}

/** Owns every session and assigns GPUs. */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly timers = new Map<string, Set<NodeJS.Timeout>>();
  private readonly closeTimers = new Map<string, NodeJS.Timeout>();
  private readonly queue: GpuQueue;

  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly deps: SessionManagerDeps) {
    this.queue = new GpuQueue({
      pool: deps.pool,
      timings: deps.timings,
      onAssign: (session, gpuId) => this.assign(session, gpuId),
    });
    // A long-running `reactor-testkit serve` must not grow without bound.
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  private sweep(now = Date.now()): void {
    for (const [id, s] of this.sessions) {
      if (
        s.state === SessionState.CLOSED &&
        s.closedAt !== undefined &&
        now - s.closedAt > CLOSED_SESSION_RETENTION_MS
      ) {
        this.sessions.delete(id);
        this.deps.uploads.forgetSession(id);
        this.deps.clips.forgetSession(id);
      }
    }
    this.deps.uploads.sweep(now);
  }

  /** The session, or a 404 HttpError. */
  require(id: string): Session {
    const s = this.sessions.get(id);
    // The runtime answers its own id with 400 while idle, any other id with 404.
    if (id === LOCAL_SESSION_ID && (!s || s.state === SessionState.CLOSED))
      throw new HttpError(400, "No session running");
    if (!s) throw new HttpError(404, "Unknown session");
    return s;
  }

  /** The session, if any. */
  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** Every session, oldest first. */
  list(): Session[] {
    return [...this.sessions.values()];
  }

  /** Creates a hosted session and starts it down the state machine. */
  create(model: ModelConfig, faults: FaultSpec[], recording?: RecordingSettings): Session {
    const session = new Session(randomUUID(), model, faults, false, recording);
    this.sessions.set(session.id, session);
    this.event("state", session, SessionState.CREATED);
    this.later(session, this.deps.timings.pendingDelayMs, () => {
      this.setState(session, SessionState.PENDING);
      this.later(session, this.deps.timings.pendingDelayMs, () => this.enqueue(session));
    });
    this.armExpiry(session);
    return session;
  }

  /** Creates the local-mode session and waits (≤ 10 s) until its GPU accepted it. */
  async createLocal(model: ModelConfig, faults: FaultSpec[], recording?: RecordingSettings): Promise<Session> {
    const session = new Session(LOCAL_SESSION_ID, model, faults, true, recording);
    this.sessions.set(session.id, session);
    this.enqueue(session);
    this.armExpiry(session);
    const deadline = Date.now() + 10_000;
    while (!session.hasTransport && session.state !== SessionState.CLOSED && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    if (!session.hasTransport) {
      this.end(session, "model did not load", false);
      throw new HttpError(503, "Model is loading", {}, { "Retry-After": "1" });
    }
    return session;
  }

  private armExpiry(session: Session): void {
    if (session.expiresAt === undefined) return;
    this.later(session, session.expiresAt - Date.now(), () =>
      this.end(session, "maximum session duration reached", true),
    );
  }

  private enqueue(session: Session): void {
    if (session.state === SessionState.CLOSED) return;
    this.setState(session, SessionState.WAITING);
    const terminal = findFault(session.faults, "terminal-while-waiting");
    // Sessions doomed to turn terminal never get a GPU.
    this.queue.add(session, terminal !== undefined);
    if (terminal) {
      this.later(session, terminal.ms, () => {
        if (session.state !== SessionState.WAITING) return;
        this.queue.hold(session);
        if (terminal.state === SessionState.CLOSED) this.end(session, "terminal-while-waiting fault", false);
        else {
          this.setState(session, SessionState.INACTIVE);
          this.armCloseTimer(session);
        }
      });
    }
  }

  /** A GPU became free (joined, released, refused a session): the queue hands it on. */
  pump(): void {
    this.queue.pump();
  }

  // The queue picked a GPU for the session: ask it (it answers `assigned`).
  private assign(session: Session, gpuId: string): void {
    this.event("gpu_assigned", session, gpuId);
    this.deps.pool.send(gpuId, {
      type: "assign",
      sessionId: session.id,
      model: session.model,
      faults: session.faults,
      timings: {
        idleTimeoutMs: this.deps.timings.idleTimeoutMs,
        iceGatherTimeoutMs: this.deps.timings.iceGatherTimeoutMs,
      },
      local: session.local,
      recording: session.recording,
    });
  }

  /** PUT /sessions/{id}: re-queues an INACTIVE session for a GPU (same id). */
  restart(session: Session): void {
    if (session.state === SessionState.CLOSED) throw new HttpError(409, "Session is closed");
    if (session.live) throw new HttpError(409, "Session has live connections");
    if (session.state !== SessionState.INACTIVE && session.state !== SessionState.ACTIVE) {
      throw new HttpError(409, `Cannot restart a session in state ${session.state}`);
    }
    this.releaseGpu(session, "session restarted", false);
    this.clearCloseTimer(session);
    this.setState(session, SessionState.PENDING);
    this.later(session, this.deps.timings.pendingDelayMs, () => this.enqueue(session));
  }

  /** Ends a session: `CLOSED`, GPU released (clients told `sessionEnded` when `notify`). */
  end(session: Session, reason: string, notify: boolean): void {
    if (session.state === SessionState.CLOSED) return;
    session.endReason = reason;
    this.releaseGpu(session, reason, notify);
    this.setState(session, SessionState.CLOSED);
    session.closedAt = Date.now();
    for (const t of this.timers.get(session.id) ?? []) clearTimeout(t);
    this.timers.delete(session.id);
    this.clearCloseTimer(session);
  }

  private releaseGpu(session: Session, reason: string, notify: boolean): void {
    this.deps.connections.dropAll(session);
    session.capabilities = undefined;
    session.assigning = false;
    if (session.gpuId) {
      this.deps.pool.send(session.gpuId, { type: "release", sessionId: session.id, reason, notify });
      session.gpuId = undefined;
    }
  }

  /** Dispatches a GPU link message. */
  onGpuMessage(gpu: GpuHandle, m: GpuMessage): void {
    if (m.type === "hello") return;
    if (m.type === "released") {
      if (gpu.sessionId === m.sessionId) gpu.sessionId = undefined;
      this.deps.history.push("events", {
        type: "gpu_released",
        sessionId: m.sessionId,
        gpuId: gpu.id,
        time: Date.now(),
      });
      this.pump();
      return;
    }
    if (m.type === "uploadFetch") {
      void this.serveUpload(gpu, m.requestId, m.sessionId, m.uploadId);
      return;
    }
    // A GPU speaks only for the session it hosts (until it reports it released).
    if (gpu.sessionId !== m.sessionId) return;
    if (ClipStore.handles(m)) {
      this.deps.clips.onGpuMessage(gpu.id, gpu.id, m);
      return;
    }
    if (recordGpuReport(this.deps.history, this.deps.reportUnhandled, gpu.id, m)) return;
    const session = this.sessions.get(m.sessionId);
    if (!session || session.gpuId !== gpu.id) return;
    switch (m.type) {
      case "assigned":
        session.assigning = false;
        if (!m.ok || !m.capabilities) {
          this.deps.logger.warn({ gpu: gpu.id, detail: m.detail }, "GPU refused a session");
          session.gpuId = undefined;
          this.pump();
          return;
        }
        session.capabilities = m.capabilities;
        this.setState(session, SessionState.ACTIVE);
        this.armCloseTimer(session);
        return;
      case "answer": {
        const delay = findFault(session.faults, "sdp-answer-delay")?.ms ?? 0;
        const never = findFault(session.faults, "sdp-answer-never") !== undefined;
        const visibleAt = never ? Number.POSITIVE_INFINITY : Date.now() + this.deps.timings.answerDelayMs + delay;
        this.deps.connections.onAnswer(session, m, visibleAt);
        return;
      }
      case "connectionState": {
        const change = this.deps.connections.onState(session, m);
        if (change === "stale") return;
        this.event("connection_state", session, m.connectionId, m.state);
        if (change === "connected") {
          if (session.state === SessionState.INACTIVE) this.setState(session, SessionState.ACTIVE);
          this.clearCloseTimer(session);
        } else if (change === "lost" && !session.live) {
          if (session.state === SessionState.ACTIVE && session.connections.everConnected) {
            this.setState(session, SessionState.INACTIVE);
          }
          this.armCloseTimer(session);
        }
        return;
      }
      case "sessionEnded":
        this.end(session, m.reason, true);
        return;
    }
  }

  private async serveUpload(gpu: GpuHandle, requestId: number, sessionId: string, uploadId: string): Promise<void> {
    try {
      // The upload must belong to a session this GPU hosts, not merely to the session it names.
      if (gpu.sessionId !== sessionId || this.sessions.get(sessionId)?.gpuId !== gpu.id) {
        throw new Error(`session '${sessionId.slice(0, 64)}' is not hosted by this GPU`);
      }
      const upload = await this.deps.uploads.resolve(sessionId, uploadId, UPLOAD_RESOLVE_TIMEOUT_MS);
      if (!upload.data) throw new Error("upload store closed");
      this.deps.pool.send(gpu.id, {
        type: "uploadData",
        requestId,
        ok: true,
        name: upload.name,
        mimeType: upload.mimeType,
        dataBase64: upload.data.toString("base64"),
      });
    } catch (error) {
      this.deps.pool.send(gpu.id, { type: "uploadData", requestId, ok: false, detail: (error as Error).message });
    }
  }

  /** A GPU's link closed: its sessions lose their transport (INACTIVE, restartable with PUT). */
  onGpuLeave(gpu: GpuHandle): void {
    for (const session of this.sessions.values()) {
      if (session.gpuId !== gpu.id) continue;
      session.gpuId = undefined;
      session.capabilities = undefined;
      this.deps.connections.dropAll(session);
      if (session.assigning) {
        session.assigning = false;
        continue;
      }
      if (session.state === SessionState.ACTIVE || session.state === SessionState.INACTIVE) {
        this.setState(session, SessionState.INACTIVE);
        this.armCloseTimer(session);
      }
    }
    this.deps.history.push("events", { type: "gpu_left", gpuId: gpu.id, time: Date.now() });
    this.pump();
  }

  // Nobody connected: the session closes after the reconnect window.
  private armCloseTimer(session: Session): void {
    if (this.closeTimers.has(session.id) || session.live) return;
    const windowMs = session.local ? this.deps.localReconnectWindowMs : this.deps.timings.reconnectWindowMs;
    const timer = setTimeout(() => {
      this.closeTimers.delete(session.id);
      if (!session.live) this.end(session, "reconnect window expired", false);
    }, windowMs);
    this.closeTimers.set(session.id, timer);
  }

  private clearCloseTimer(session: Session): void {
    const t = this.closeTimers.get(session.id);
    if (t) clearTimeout(t);
    this.closeTimers.delete(session.id);
  }

  private setState(session: Session, state: string): void {
    if (session.state === state) return;
    session.state = state;
    this.event("state", session, state);
  }

  private event(type: string, session: Session, detail?: unknown, extra?: unknown): void {
    this.deps.history.push("events", {
      type,
      sessionId: session.id,
      detail: extra === undefined ? detail : { connectionId: detail, state: extra },
      time: Date.now(),
    });
  }

  private later(session: Session, ms: number, fn: () => void): void {
    const set = this.timers.get(session.id) ?? new Set();
    this.timers.set(session.id, set);
    const timer = setTimeout(
      () => {
        set.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    set.add(timer);
  }

  /** Clears every timer (sessions keep their last state). */
  close(): void {
    clearInterval(this.sweeper);
    this.queue.close();
    for (const set of this.timers.values()) for (const t of set) clearTimeout(t);
    this.timers.clear();
    for (const t of this.closeTimers.values()) clearTimeout(t);
    this.closeTimers.clear();
  }
}
