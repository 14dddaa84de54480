// Where the receiving process's time goes (issue 12): runs one SDK receiver of
// ./compare/node-receiver.js against the testkit sender with V8's sampling profiler on in every
// thread (`--cpu-prof`: the main thread, the decoder worker, the conversion pool's threads), keeps
// the samples of the steady window only, and prints per thread: sampled time, GC, and self time by
// owner (this package, werift, comlink, piscina, Node itself, …: a sample of Node's own code is
// charged to the nearest caller that is not Node's, so werift's SRTP decrypt counts as werift's)
// and the top functions.
//
//   node bench/profile.js [native|native-worker|wasm|wasm-worker|werift] [width height fps streams]
//   REACTOR_BENCH_SECONDS=20 (steady window) REACTOR_PROFILE_DIR=/tmp/x (keep the .cpuprofile files)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { run } from "./compare/harness.js";

const SECONDS = Number(process.env.REACTOR_BENCH_SECONDS ?? 15);
const TOP = 18;
const kind = process.argv[2] ?? "native";
const [width = 1280, height = 720, fps = 30, count = 1] = process.argv.slice(3).map(Number);
const keep = process.env.REACTOR_PROFILE_DIR;
const dir = keep ?? mkdtempSync(join(tmpdir(), "frames-prof-"));
mkdirSync(dir, { recursive: true });

/** Who a frame's code belongs to, from its script URL. */
function owner(url) {
  if (!url) return undefined;
  if (url.startsWith("node:") || !url.includes("/")) return undefined; // Node's own: charge the caller
  for (const name of ["werift", "comlink", "piscina", "@libav.js", "node-av"])
    if (url.includes(`/${name}`)) return name;
  if (url.includes("/packages/frames/")) return "frames";
  if (url.includes("/packages/")) return basename(url.slice(0, url.indexOf("/dist/")) || url);
  if (url.includes("/node_modules/")) return url.slice(url.lastIndexOf("/node_modules/") + 14).split("/")[0];
  return "other";
}

function summarise(file, window) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const byOwner = new Map();
  let t = profile.startTime;
  let total = 0;
  const scripts = new Set();
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000; // the sample lasts until the next one
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    const node = nodes.get(profile.samples[i]);
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    total += dt;
    const key = `${functionName || "(anonymous)"} ${url ? `${basename(url)}:${lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    let who;
    for (let id = node.id; id !== undefined && !who; id = parent.get(id)) {
      const frame = nodes.get(id).callFrame;
      if (frame.url) scripts.add(frame.url);
      who = owner(frame.url);
    }
    if (!who) who = functionName.startsWith("(") ? functionName : "node";
    byOwner.set(who, (byOwner.get(who) ?? 0) + dt);
  }
  const role = [...scripts].some((u) => u.includes("vp8-decoder"))
    ? "decoder worker"
    : [...scripts].some((u) => u.includes("convert-task"))
      ? "conversion pool thread"
      : [...scripts].some((u) => u.includes("frame-task"))
        ? "processing pool thread"
        : /\.0\.\d+\.cpuprofile$/.test(file) || /\.\d+\.0\.\d+\.cpuprofile$/.test(file)
          ? "main"
          : "worker";
  return { role, total, self, byOwner };
}

const l0 = loadavg();
const result = await run(kind, { width, height, fps }, count, undefined, {
  seconds: SECONDS,
  nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
});
const { stats } = result;
const frames = stats.streams.reduce((n, s) => n + (s.windowFrames ?? 0), 0);
const windowMs = (stats.window.toUs - stats.window.fromUs) / 1000;
console.log(
  `profile of ${kind}, ${count} × ${width}×${height}@${fps}, ${SECONDS} s steady window, ${frames} frames, load ${l0.map((l) => l.toFixed(2)).join(" ")}`,
);
console.log(
  `process CPU ${result.cpu.pct.toFixed(1)} % of one core; main thread ${(stats.mainCpuMs / frames).toFixed(3)} ms/frame (schedstat)`,
);
const fmt = (ms) =>
  `${ms.toFixed(0).padStart(6)} ms ${((100 * ms) / windowMs).toFixed(1).padStart(5)} % ${(ms / frames).toFixed(3)} ms/frame`;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
  const s = summarise(join(dir, file), stats.window);
  if (s.total < windowMs * 0.002) continue;
  console.log(`\n${s.role} (${file}): sampled ${fmt(s.total)}`);
  console.log("  by owner (Node's own code charged to its caller):");
  for (const [who, ms] of [...s.byOwner].sort((a, b) => b[1] - a[1])) console.log(`    ${who.padEnd(24)}${fmt(ms)}`);
  console.log("  top self time:");
  for (const [key, ms] of [...s.self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`    ${fmt(ms)}  ${key}`);
}
if (!keep) rmSync(dir, { recursive: true, force: true });
