// The process-tree harness of the side-by-side benchmark (bench/compare.js) and the profiler
// (bench/profile.js): one testkit sender process, one receiving process (an SDK receiver of
// ./node-receiver.js or the aiortc reference), signalling over pipes, CPU read from /proc.
import { execFileSync, fork, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { ipcMailbox, Mailbox } from "../mailbox.js";

/** Measurement starts this long after the stream does (process start, JIT, first keyframe). */
export const WARMUP_MS = 3_000;
const SETUP_TIMEOUT_MS = 120_000;
const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ for /proc/<pid>/stat
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Debian's python3 has python3-aiortc/python3-av; a pyenv python3 first on PATH may not. */
export function referencePython() {
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      execFileSync(python, ["-c", "import aiortc, av"], { stdio: "ignore" });
      return python;
    } catch {
      // next
    }
  }
  return undefined;
}

/** JSON lines from a child's stdout; lines that are not JSON are a library printing, not ours. */
function jsonLines(child, label) {
  const mail = new Mailbox(label, SETUP_TIMEOUT_MS);
  createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      mail.push(JSON.parse(line));
    } catch {
      // not ours
    }
  });
  child.on("exit", (code) => mail.fail(new Error(`${label} exited (code ${code})`)));
  return mail;
}

/**
 * Whole-process CPU (ticks → ms) and per-thread CPU and run-queue wait (schedstat ns → ms: time
 * on a CPU, time runnable but waiting for one) with names.
 */
export function sampleProcess(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  const threads = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [ns, waitNs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ").map(Number);
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      threads.set(tid, { name: Number(tid) === pid ? "main" : name, ms: ns / 1e6, waitMs: waitNs / 1e6 });
    } catch {
      // exited meanwhile
    }
  }
  return { t: performance.now(), cpuMs, threads };
}

/** CPU % of one core between two samples, whole process and by thread name (with each thread's run-queue wait, % of the wall time). */
export function cpuWindow(a, b) {
  const wallMs = b.t - a.t;
  // One entry per OS thread (Node names every worker thread "node"; the busiest one of an SDK
  // receiver is the decoder worker, then the conversion pool's).
  const threads = [...b.threads]
    .map(([tid, thread]) => ({
      name: `${thread.name}`,
      tid,
      pct: (100 * (thread.ms - (a.threads.get(tid)?.ms ?? 0))) / wallMs,
      waitPct: (100 * (thread.waitMs - (a.threads.get(tid)?.waitMs ?? 0))) / wallMs,
    }))
    .sort((x, y) => y.pct - x.pct);
  return { wallMs, pct: (100 * (b.cpuMs - a.cpuMs)) / wallMs, threads };
}

/** One run: `streams` testkit streams of `spec` into one receiving process of `kind`. */
export async function run(kind, spec, count, python, { seconds, nodeArgs = [], env, during } = {}) {
  const sender = fork(here("../e2e/sender.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const fromSender = ipcMailbox(sender, "the sender", SETUP_TIMEOUT_MS);
  const receiver =
    kind === "aiortc"
      ? spawn(python, [here("../reference/aiortc_receiver.py")], { stdio: ["pipe", "pipe", "inherit"] })
      : spawn(process.execPath, [...nodeArgs, here("./node-receiver.js"), kind], {
          stdio: ["pipe", "pipe", "inherit"],
          env: { ...process.env, ...env },
        });
  const lines = jsonLines(receiver, kind);
  const tell = (m) => receiver.stdin.write(`${JSON.stringify(m)}\n`);
  try {
    await Promise.all([fromSender.next("hello"), lines.next("hello")]);
    for (let id = 0; id < count; id++) {
      sender.send({ type: "open", id, ...spec, mode: "source" });
      const { sdp } = await fromSender.next("offer", id);
      tell({ type: "offer", id, sdp });
      const answer = await lines.next("answer", id);
      sender.send({ type: "answer", id, sdp: answer.sdp });
      await fromSender.next("ready", id);
    }
    sender.send({ type: "start" });
    await sleep(WARMUP_MS);
    const a = sampleProcess(receiver.pid);
    tell({ type: "mark" });
    const framesAt = Date.now();
    await Promise.all([sleep(seconds * 1000), during?.(receiver.pid, seconds)]);
    const b = sampleProcess(receiver.pid);
    tell({ type: "stop" });
    const stats = await lines.next("stats");
    sender.send({ type: "stop" });
    const sent = await fromSender.next("stopped");
    return { kind, cpu: cpuWindow(a, b), stats, sent, seconds: (Date.now() - framesAt) / 1000 };
  } finally {
    tell({ type: "close" });
    sender.send({ type: "close" });
    await Promise.all([
      new Promise((resolve) => (receiver.exitCode !== null ? resolve() : receiver.once("exit", resolve))),
      new Promise((resolve) => (sender.exitCode !== null ? resolve() : sender.once("exit", resolve))),
    ]);
  }
}
