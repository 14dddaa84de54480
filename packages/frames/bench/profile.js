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
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "./compare/harness.js";
import { printProfile, summariseProfile } from "./cpu-profile.js";

const SECONDS = Number(process.env.REACTOR_BENCH_SECONDS ?? 15);
const TOP = 18;
const kind = process.argv[2] ?? "native";
const [width = 1280, height = 720, fps = 30, count = 1] = process.argv.slice(3).map(Number);
const keep = process.env.REACTOR_PROFILE_DIR;
const dir = keep ?? mkdtempSync(join(tmpdir(), "frames-prof-"));
mkdirSync(dir, { recursive: true });

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
for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
  const s = summariseProfile(join(dir, file), stats.window);
  if (s.total < windowMs * 0.002) continue;
  printProfile(file, s, windowMs, frames, TOP);
}
if (!keep) rmSync(dir, { recursive: true, force: true });
