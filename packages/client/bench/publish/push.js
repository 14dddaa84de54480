// The publishing benchmarks' pusher: the testkit's pattern at a steady rate into a publisher,
// main-thread time of each pushFrame, and the process's CPU (whole and per thread) over a
// window that starts after a warm-up.
import { existsSync, openSync, readSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { renderPatternRgb } from "@reactor-node/testkit";
import { cpuWindow, sampleProcess } from "../../../frames/bench/compare/harness.js";

/** Pictures of the pattern, rendered once. */
export function pictures(width, height, count = 30) {
  return Array.from({ length: count }, (_, n) => renderPatternRgb(n, width, height));
}

/** Percentile `p` (0–100) of `xs`. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : Number.NaN;
}

/**
 * Pushes `width`×`height` RGB at `fps` for `warmupSeconds + seconds`, each frame stamped with its
 * due time. The frame's bytes are copied into a buffer from the publisher's pool (what a producer
 * rendering into `publisher.buffer()` would do; the copy counts as the pusher's own cost).
 * Measures the last `seconds`: pushed/encoded/sent rates from the publisher's counters, main-thread
 * ms per pushFrame (all, and those during which the thread was not preempted), CPU of the whole
 * process and of each thread, the window on process.hrtime (µs).
 */
export async function pushSteady(publisher, { width, height, fps = 30, seconds, warmupSeconds = 3 }) {
  const frames = pictures(width, height);
  const pushMs = [];
  const unpreemptedMs = [];
  const period = 1000 / fps;
  const t0 = performance.now();
  const windowStart = t0 + warmupSeconds * 1000;
  const end = windowStart + seconds * 1000;
  let start;
  for (let n = 0; ; n++) {
    const wait = t0 + n * period - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = performance.now();
    if (now >= end) break;
    if (!start && now >= windowStart) {
      start = { at: now, hrUs: hrUs(), proc: sampleProcess(process.pid), stats: publisher.stats() };
    }
    const data = publisher.buffer(width, height);
    data.set(frames[n % frames.length]);
    const switches = start && preemptions();
    const p0 = performance.now();
    publisher.pushFrame({ data, width, height, format: "rgb24", timestamp: n * period });
    const ms = performance.now() - p0;
    if (start) {
      pushMs.push(ms);
      if (preemptions() === switches) unpreemptedMs.push(ms);
    }
  }
  const proc = sampleProcess(process.pid);
  const toUs = hrUs();
  const windowS = (performance.now() - start.at) / 1000;
  // Frames still in the encoder or the pacer at the end are not counted as dropped.
  await new Promise((r) => setTimeout(r, 300));
  const stats = publisher.stats();
  const delta = (key) => stats[key] - start.stats[key];
  const drops = Object.fromEntries(
    Object.keys(stats.dropped).map((k) => [k, stats.dropped[k] - start.stats.dropped[k]]),
  );
  return {
    seconds: windowS,
    window: { fromUs: start.hrUs, toUs },
    frames: delta("pushed"),
    pushedFps: delta("pushed") / windowS,
    encodedFps: delta("encoded") / windowS,
    sentFps: delta("sent") / windowS,
    dropped: Object.values(drops).reduce((a, b) => a + b, 0),
    drops,
    cpu: cpuWindow(start.proc, proc),
    pushP50: percentile(pushMs, 50),
    pushP99: percentile(pushMs, 99),
    pushMax: Math.max(...pushMs),
    preempted: pushMs.length - unpreemptedMs.length,
    unpreemptedP99: percentile(unpreemptedMs, 99),
    unpreemptedMax: Math.max(...unpreemptedMs),
    encodeMs: stats.encodeMs,
    convertMs: stats.convertMs,
    kbps: (delta("bytes") * 8) / 1000 / windowS,
    keyframes: delta("keyframes"),
    keyframeRequests: delta("keyframeRequests"),
    targetBitrate: stats.targetBitrate,
  };
}

/**
 * The RTP half alone: hands pre-encoded `pictures` (VP8 frames of the pattern) to the publisher's
 * sending side at `fps` (its private hand-off from the encoder, called directly), bypassing the
 * encoder; measures like {@link pushSteady}. What the main thread spends here is packetization,
 * werift's SRTP and send, RTCP and the pacer.
 */
export async function sendSteady(publisher, pictures, { fps = 30, seconds, warmupSeconds = 3 }) {
  const period = 1000 / fps;
  const t0 = performance.now();
  const windowStart = t0 + warmupSeconds * 1000;
  const end = windowStart + seconds * 1000;
  let start;
  let sent = 0;
  for (let n = 0; ; n++) {
    const wait = t0 + n * period - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = performance.now();
    if (now >= end) break;
    if (!start && now >= windowStart)
      start = { at: now, hrUs: hrUs(), proc: sampleProcess(process.pid), stats: publisher.stats() };
    // Frame n of the loop, as the encoder would have handed it over (a keyframe only first).
    const picture = pictures[n === 0 ? 0 : 1 + ((n - 1) % (pictures.length - 1))];
    publisher.sendPicture({ ...picture, pts90k: n * 3000, pushedAt: now, tag: undefined });
    if (start) sent++;
  }
  const proc = sampleProcess(process.pid);
  const toUs = hrUs();
  const stats = publisher.stats();
  return {
    seconds: (performance.now() - start.at) / 1000,
    window: { fromUs: start.hrUs, toUs },
    frames: sent,
    packets: stats.packets - start.stats.packets,
    bytes: stats.bytes - start.stats.bytes,
    cpu: cpuWindow(start.proc, proc),
  };
}

const STATUS = "/proc/thread-self/status";
// Opened once (by the main thread, which pushes) and re-read in place: a readFileSync per push
// cost five system calls and a string, measured as the process's CPU.
const statusFd = existsSync(STATUS) ? openSync(STATUS, "r") : undefined;
const statusBytes = Buffer.alloc(4096);

/**
 * Times the scheduler took this thread off the CPU against its will (Linux; 0 elsewhere): a
 * pushFrame during which it changed was preempted, and its wall time includes time the machine
 * gave other threads.
 */
function preemptions() {
  if (statusFd === undefined) return 0;
  const length = readSync(statusFd, statusBytes, 0, statusBytes.length, 0);
  const at = statusBytes.lastIndexOf("nonvoluntary_ctxt_switches:", length);
  return Number.parseInt(statusBytes.toString("latin1", at + 27, Math.min(length, at + 48)), 10);
}

function hrUs() {
  return Number(process.hrtime.bigint() / 1000n);
}
