/**
 * What a leak would grow, measured in this process: libuv handles and requests by type
 * (`process.getActiveResourcesInfo()`), OS threads and open file descriptors (Linux /proc),
 * process-level listeners, and the V8 heap after a full garbage collection.
 */
import { readdirSync, readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** One reading of every gauge. */
export interface Gauges {
  /** Active handles/requests by type (timers included). */
  resources: Record<string, number>;
  /** Sum of `resources`. */
  handles: number;
  /** OS threads of the process (main, libuv pool, V8 helpers, worker threads). */
  threads: number;
  /** Open file descriptors (sockets included). */
  fds: number;
  /** Listeners on `process` (exit, signals, uncaughtException, …). */
  listeners: number;
  /** `heapUsed` after a full GC, bytes. */
  heapBytes: number;
}

// Resources the test runner itself owns and churns (its own IPC and timers).
const IGNORED = new Set(["TTYWrap", "PipeWrap", "CloseReq", "ProcessWrap"]);
const PROCESS_EVENTS = [
  "exit",
  "beforeExit",
  "SIGINT",
  "SIGTERM",
  "uncaughtException",
  "unhandledRejection",
  "warning",
  "message",
] as const;

let gcFunction: (() => void) | undefined;

/** A full, synchronous garbage collection (exposes `gc` once, without a command-line flag). */
function fullGc(): void {
  if (!gcFunction) {
    setFlagsFromString("--expose-gc");
    gcFunction = runInNewContext("gc") as () => void;
  }
  gcFunction();
  gcFunction();
}

function count(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch {
    return -1;
  }
}

/** Reads every gauge (after a full GC). */
export function readGauges(): Gauges {
  fullGc();
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) {
    if (IGNORED.has(r)) continue;
    resources[r] = (resources[r] ?? 0) + 1;
  }
  let threads = -1;
  try {
    threads = Number(/Threads:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? -1);
  } catch {
    // not Linux: the thread gauge is skipped
  }
  return {
    resources,
    handles: Object.values(resources).reduce((a, b) => a + b, 0),
    threads,
    fds: count("/proc/self/fd"),
    listeners: PROCESS_EVENTS.reduce((n, e) => n + process.listenerCount(e), 0),
    heapBytes: process.memoryUsage().heapUsed,
  };
}

/** How far a reading may be from the baseline and still count as "back to baseline". */
export interface Tolerances {
  handles: number;
  threads: number;
  fds: number;
  listeners: number;
  heapBytes: number;
}

/** Differences beyond the tolerances, as readable lines (empty when everything is back). */
export function excess(baseline: Gauges, now: Gauges, tolerance: Tolerances): string[] {
  const lines: string[] = [];
  for (const key of ["handles", "threads", "fds", "listeners", "heapBytes"] as const) {
    if (baseline[key] < 0 || now[key] < 0) continue;
    if (now[key] - baseline[key] > tolerance[key]) {
      lines.push(`${key}: ${baseline[key]} → ${now[key]} (tolerance +${tolerance[key]})`);
    }
  }
  if (lines.length > 0)
    lines.push(`resources: ${JSON.stringify(baseline.resources)} → ${JSON.stringify(now.resources)}`);
  return lines;
}

/**
 * Re-reads the gauges until they are back within the tolerances or `timeoutMs` passes (idle
 * keep-alive sockets and werift's closing timers take a few seconds); returns the last reading.
 */
export async function settle(baseline: Gauges, tolerance: Tolerances, timeoutMs = 15_000): Promise<Gauges> {
  const deadline = Date.now() + timeoutMs;
  let now = readGauges();
  while (excess(baseline, now, tolerance).length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    now = readGauges();
  }
  return now;
}

/** One line for the report. */
export function formatGauges(g: Gauges): string {
  const mib = (g.heapBytes / (1024 * 1024)).toFixed(1);
  return `handles=${g.handles} threads=${g.threads} fds=${g.fds} listeners=${g.listeners} heap=${mib}MiB`;
}
