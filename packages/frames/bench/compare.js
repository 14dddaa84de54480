// Side-by-side benchmark (issue 12): in one process tree, against one testkit video source, the
// SDK's receiver with each decoder backend and a reference receiver of our own written with the
// seed SDK's stack (aiortc + PyAV, bench/reference/aiortc_receiver.py, when Debian's
// python3-aiortc and python3-av are installed), each in its own process, interleaved over rounds.
// Prints each receiving process's CPU, its ratio to the reference in the same round, medians, and a
// per-thread breakdown (/proc/<pid>/task/*).
//
//   node bench/compare.js      (after `pnpm build` of frames and testkit)
//   REACTOR_BENCH_SECONDS=10 REACTOR_BENCH_ROUNDS=3 node bench/compare.js
//   (REACTOR_BENCH_KINDS and REACTOR_BENCH_ONLY narrow it down, see below)
import { availableParallelism, loadavg } from "node:os";
import { isNativeDecoderInstalled } from "../dist/index.js";
import { referencePython, run } from "./compare/harness.js";

const SECONDS = Number(process.env.REACTOR_BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.REACTOR_BENCH_ROUNDS ?? 3);
/** A stream received below this share of its frame rate in the window did not keep up. */
const BEHIND_FPS_RATIO = 0.95;

const quantile = (values, q) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
};
const median = (values) => quantile(values, 0.5);
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

const python = referencePython();
const native = isNativeDecoderInstalled() ? ["native", "native-worker"] : [];
// REACTOR_BENCH_KINDS=aiortc,native,werift runs only those receivers; REACTOR_BENCH_ONLY=720p|360p one scenario.
const only = process.env.REACTOR_BENCH_KINDS?.split(",");
const kinds = [...(python ? ["aiortc"] : []), "wasm", "wasm-worker", ...native, "werift"].filter(
  (k) => !only || only.includes(k),
);
const scenarios = [
  { label: "720p30, one stream", spec: { width: 1280, height: 720, fps: 30 }, count: 1, kinds },
  {
    label: "360p30, four streams",
    spec: { width: 640, height: 360, fps: 30 },
    count: 4,
    kinds: kinds.filter((k) => k !== "werift"),
  },
];
const l0 = loadavg();
console.log(
  `side-by-side receivers: node ${process.version}, ${availableParallelism()} cpus, ${SECONDS} s per run, ${ROUNDS} rounds interleaved, load ${l0.map((l) => l.toFixed(2)).join(" ")}`,
);
if (!python) console.log("reference: python3-aiortc/python3-av not importable, aiortc rows skipped (no ratios)");

for (const scenario of scenarios.filter(
  (s) => !process.env.REACTOR_BENCH_ONLY || s.label.startsWith(process.env.REACTOR_BENCH_ONLY),
)) {
  const results = new Map(scenario.kinds.map((k) => [k, []]));
  console.log(`\n${scenario.label}`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of scenario.kinds) {
      const r = await run(kind, scenario.spec, scenario.count, python, { seconds: SECONDS });
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
      // A receiver that fell behind did less work than the stream asked: its CPU is not comparable.
      const behind = r.stats.streams.some(
        (s) => (s.windowFrames ?? s.frames) / (SECONDS || 1) < BEHIND_FPS_RATIO * scenario.spec.fps,
      );
      const drops = r.stats.streams.map((s) => s.stats?.dropped).filter(Boolean);
      const dropped = drops.reduce((n, d) => n + d.stale + d.queueFull + d.beforeKeyframe + d.decodeError, 0);
      console.log(
        `  round ${round} ${kind.padEnd(13)} CPU ${fmt(r.cpu.pct).padStart(5)} %${ratio}; fps ${fps.join("/")}${latency}${main}${drops.length ? `, dropped ${dropped}` : ""}${behind ? " — FELL BEHIND (CPU not comparable)" : ""}`,
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
