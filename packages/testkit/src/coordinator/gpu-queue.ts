/**
 * The GPU queue: sessions in `WAITING`, first come first served, each eligible once its queue
 * delay (the mock's `queueDelayMs`, or a `queue-delay` fault) has passed, never with
 * `never-ready`. A free GPU is handed to the oldest eligible session by sending it `assign`;
 * the session state machine (sessions.ts) hears back through `onAssign` and the GPU's answer.
 */
import { SessionState } from "@reactor-node/protocol";
import { findFault } from "../faults/spec.js";
import type { Timings } from "../timings.js";
import type { GpuPool } from "./gpu-pool.js";
import type { Session } from "./session.js";

/** What the queue is built from. */
export interface GpuQueueDeps {
  pool: GpuPool;
  timings: Timings;
  /** A GPU was asked to take `session` (it answers `assigned` on the link). */
  onAssign(session: Session, gpuId: string): void;
}

/** Waiting sessions and the GPUs they get. */
export class GpuQueue {
  /** In arrival order; sessions that left `WAITING` are dropped as the queue meets them. */
  private waiting: Session[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly deps: GpuQueueDeps) {}

  /** Queues a session that just entered `WAITING` (`doomed`: it must never get a GPU). */
  add(session: Session, doomed: boolean): void {
    session.waitingSince = Date.now();
    const delay = findFault(session.faults, "queue-delay");
    const ms = Math.max(session.local ? 0 : this.deps.timings.queueDelayMs, delay?.ms ?? 0);
    const never = doomed || findFault(session.faults, "never-ready") !== undefined;
    session.eligibleAt = never ? Number.POSITIVE_INFINITY : Date.now() + ms;
    if (!this.waiting.includes(session)) this.waiting.push(session);
    this.pump();
  }

  /** Takes a session out of the running for good (it turned terminal while waiting). */
  hold(session: Session): void {
    session.eligibleAt = Number.POSITIVE_INFINITY;
  }

  /** Hands free GPUs to eligible waiting sessions, FIFO; re-arms itself for the next eligibility. */
  pump(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.waiting = this.waiting.filter((s) => s.state === SessionState.WAITING);
    const now = Date.now();
    let nextAt = Number.POSITIVE_INFINITY;
    for (const session of this.waiting) {
      if (session.assigning || session.gpuId !== undefined) continue;
      if (session.eligibleAt > now) {
        nextAt = Math.min(nextAt, session.eligibleAt);
        continue;
      }
      const gpu = this.deps.pool.free();
      if (!gpu) break;
      gpu.sessionId = session.id;
      session.gpuId = gpu.id;
      session.assigning = true;
      this.deps.onAssign(session, gpu.id);
    }
    if (Number.isFinite(nextAt)) this.timer = setTimeout(() => this.pump(), Math.max(0, nextAt - now));
  }

  /** Stops the queue's timer. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.waiting = [];
  }
}
