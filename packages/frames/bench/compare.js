// Side-by-side benchmark (issue 12): in one process tree, against one testkit video source, the
// SDK's receiver with each decoder backend and a reference receiver of our own written with the
// seed SDK's stack (aiortc + PyAV, bench/reference/aiortc_receiver.py, when Debian's
// python3-aiortc and python3-av are installed), each in its own process, interleaved over rounds.
// Prints each receiving process's CPU, its ratio to the reference in the same round, medians, and a
// per-thread breakdown (/proc/<pid>/task/*).
//
//   node bench/compare.js      (after `pnpm build` of frames and testkit)
//   REACTOR_BENCH_SECONDS=10 REACTOR_BENCH_ROUNDS=3 node bench/compare.js
import { execFileSync, fork, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { isNativeDecoderInstalled } from "../dist/index.js";

const SECONDS = Number(process.env.REACTOR_BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.REACTOR_BENCH_ROUNDS ?? 3);
/** Measurement starts this long after the stream does (process start, JIT, first keyframe). */
const WARMUP_MS = 3_000;
const SETUP_TIMEOUT_MS = 120_000;
const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ for /proc/<pid>/stat
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Debian's python3 has python3-aiortc/python3-av; a pyenv python3 first on PATH may not. */
function referencePython() {
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

/** JSON lines from a child's stdout, awaitable by type (and id). */
class Lines {
  constructor(child, label) {
    this.queue = [];
    this.waiters = [];
    createInterface({ input: child.stdout }).on("line", (line) => {
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        return; // not ours (a library printing)
      }
      const index = this.waiters.findIndex((w) => w.match(message));
      if (index >= 0) this.waiters.splice(index, 1)[0].resolve(message);
      else this.queue.push(message);
    });
    child.on("exit", (code) => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${label} exited (code ${code})`));
    });
  }

  next(type, id) {
    const match = (m) => m.type === type && (id === undefined || m.id === id);
    const index = this.queue.findIndex(match);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} in time`)), SETUP_TIMEOUT_MS);
      this.waiters.push({
        match,
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }
}

/** The sender's IPC mailbox (bench/e2e/sender.js speaks process messages). */
function mailbox(child) {
  const queue = [];
  const waiters = [];
  child.on("message", (m) => {
    const index = waiters.findIndex((w) => w.match(m));
    if (index >= 0) waiters.splice(index, 1)[0].resolve(m);
    else queue.push(m);
  });
  return (type, id) => {
    const match = (m) => m.type === type && (id === undefined || m.id === id);
    const index = queue.findIndex(match);
    if (index >= 0) return Promise.resolve(queue.splice(index, 1)[0]);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
}

/** Whole-process CPU (ticks → ms) and per-thread CPU (schedstat ns → ms) with names. */
function sampleProcess(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  const threads = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      threads.set(tid, { name: Number(tid) === pid ? "main" : name, ms: ns / 1e6 });
    } catch {
      // exited meanwhile
    }
  }
  return { t: performance.now(), cpuMs, threads };
}

/** CPU % of one core between two samples, whole process and by thread name. */
function cpuWindow(a, b) {
  const wallMs = b.t - a.t;
  // One entry per OS thread (Node names every worker thread "node"; the busiest one of an SDK
  // receiver is the decoder worker, then the conversion pool's).
  const threads = [...b.threads]
    .map(([tid, thread]) => ({
      name: `${thread.name}`,
      tid,
      pct: (100 * (thread.ms - (a.threads.get(tid)?.ms ?? 0))) / wallMs,
    }))
    .sort((x, y) => y.pct - x.pct);
  return { wallMs, pct: (100 * (b.cpuMs - a.cpuMs)) / wallMs, threads };
}

/** One run: `streams` testkit streams of `spec` into one receiving process of `kind`. */
async function run(kind, spec, count, python) {
  const sender = fork(here("./e2e/sender.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const fromSender = mailbox(sender);
  const receiver =
    kind === "aiortc"
      ? spawn(python, [here("./reference/aiortc_receiver.py")], { stdio: ["pipe", "pipe", "inherit"] })
      : spawn(process.execPath, [here("./compare/node-receiver.js"), kind], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = new Lines(receiver, kind);
  const tell = (m) => receiver.stdin.write(`${JSON.stringify(m)}\n`);
  try {
    await Promise.all([fromSender("hello"), lines.next("hello")]);
    for (let id = 0; id < count; id++) {
      sender.send({ type: "open", id, ...spec, mode: "source" });
      const { sdp } = await fromSender("offer", id);
      tell({ type: "offer", id, sdp });
      const answer = await lines.next("answer", id);
      sender.send({ type: "answer", id, sdp: answer.sdp });
      await fromSender("ready", id);
    }
    sender.send({ type: "start" });
    await sleep(WARMUP_MS);
    const a = sampleProcess(receiver.pid);
    tell({ type: "mark" });
    const framesAt = Date.now();
    await sleep(SECONDS * 1000);
    const b = sampleProcess(receiver.pid);
    tell({ type: "stop" });
    const stats = await lines.next("stats");
    sender.send({ type: "stop" });
    const sent = await fromSender("stopped");
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

const quantile = (values, q) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
};
const median = (values) => quantile(values, 0.5);
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

const python = referencePython();
const native = isNativeDecoderInstalled() ? ["native", "native-worker"] : [];
const kinds = [...(python ? ["aiortc"] : []), "wasm", "wasm-worker", ...native, "werift"];
const scenarios = [
  { label: "720p30, one stream", spec: { width: 1280, height: 720, fps: 30 }, count: 1, kinds },
  {
    label: "360p30, four streams",
    spec: { width: 640, height: 360, fps: 30 },
    count: 4,
    kinds: kinds.filter((k) => !["werift", "wasm-worker", "native-worker"].includes(k)),
  },
];
const l0 = loadavg();
console.log(
  `side-by-side receivers: node ${process.version}, ${availableParallelism()} cpus, ${SECONDS} s per run, ${ROUNDS} rounds interleaved, load ${l0.map((l) => l.toFixed(2)).join(" ")}`,
);
if (!python) console.log("reference: python3-aiortc/python3-av not importable, aiortc rows skipped (no ratios)");

for (const scenario of scenarios) {
  const results = new Map(scenario.kinds.map((k) => [k, []]));
  console.log(`\n${scenario.label}`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of scenario.kinds) {
      const r = await run(kind, scenario.spec, scenario.count, python);
      results.get(kind).push(r);
      const fps = r.stats.streams.map((s) => fmt((s.windowFrames ?? s.frames) / (SECONDS || 1), 1));
      const reference = results.get("aiortc")?.[round - 1];
      const ratio = reference && kind !== "aiortc" ? ` = ${fmt(r.cpu.pct / reference.cpu.pct, 2)}× aiortc` : "";
      const lat = r.stats.streams.flatMap((s) => s.latencies ?? []);
      const latency =
        lat.length > 0 ? `, latency p50 ${fmt(quantile(lat, 0.5), 2)} p95 ${fmt(quantile(lat, 0.95), 2)} ms` : "";
      const frames = r.stats.streams.reduce((n, s) => n + (s.windowFrames ?? 0), 0);
      const main =
        Number.isFinite(r.stats.mainCpuMs) && frames > 0
          ? `, main thread ${fmt(r.stats.mainCpuMs / frames, 3)} ms/frame`
          : "";
      const drops = r.stats.streams.map((s) => s.stats?.dropped).filter(Boolean);
      const dropped = drops.reduce((n, d) => n + d.stale + d.queueFull + d.beforeKeyframe + d.decodeError, 0);
      console.log(
        `  round ${round} ${kind.padEnd(13)} CPU ${fmt(r.cpu.pct).padStart(5)} %${ratio}; fps ${fps.join("/")}${latency}${main}${drops.length ? `, dropped ${dropped}` : ""}`,
      );
      const shown = r.cpu.threads.filter((t) => t.pct >= 0.3);
      const rest = r.cpu.threads.filter((t) => t.pct < 0.3).reduce((n, t) => n + t.pct, 0);
      console.log(
        `      threads: ${shown.map((t) => `${t.name} ${fmt(t.pct)} %`).join(", ")}, ${r.cpu.threads.length - shown.length} others ${fmt(rest)} %`,
      );
    }
  }
  console.log(`  medians over ${ROUNDS} rounds:`);
  const ref = results.get("aiortc")?.map((r) => r.cpu.pct);
  for (const [kind, runs] of results) {
    const pct = median(runs.map((r) => r.cpu.pct));
    const ratios = ref ? runs.map((r, i) => r.cpu.pct / ref[i]) : [];
    const ratio =
      ref && kind !== "aiortc"
        ? `, ratio to aiortc per round ${ratios.map((x) => fmt(x, 2)).join(" / ")}, median ${fmt(median(ratios), 2)}`
        : "";
    console.log(
      `    ${kind.padEnd(13)} CPU ${runs.map((r) => fmt(r.cpu.pct)).join(" / ")} %, median ${fmt(pct)} %${ratio}`,
    );
  }
}
const l1 = loadavg();
console.log(`\nload at end ${l1.map((l) => l.toFixed(2)).join(" ")}`);
