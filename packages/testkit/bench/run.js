// Benchmark: how many sessions one testkit process serves with every client receiving ≥ 29 fps,
// at 360p30 and 720p30; the testkit's CPU per session; time from POST /sessions to first frame.
// The testkit runs as its own process (`reactor-testkit serve`), the receivers run here, so the
// CPU figures are the testkit's alone (read from /proc). Bounded to ≈ 2.5 minutes. A "+" after
// the session count means every level tried passed (the time budget, not the fps, stopped it).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { receive, token } from "./client.js";

const BIN = fileURLToPath(new URL("../bin/reactor-testkit.js", import.meta.url));
const MIN_FPS = 29;
const WINDOW_MS = 4000;
const LEVELS = [1, 4, 8, 16, 24, 32, 48];
const BUDGET_MS = 55_000; // per resolution (a level started before it runs to its end)
const HARD_LIMIT_MS = 175_000;
const TICKS = 100; // USER_HZ

function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

async function serve(size, gpus) {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--port", "0", "--json", "--gpus", String(gpus), "--size", size, "--fps", "30"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let line = "";
  for await (const chunk of child.stdout) {
    line += chunk;
    if (line.includes("\n")) break;
  }
  return { child, ...JSON.parse(line.split("\n")[0]) };
}

async function level(svc, jwt, n) {
  const receivers = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) receivers.push(await receive(svc.url, jwt));
  const setupMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1000));
  for (const r of receivers) r.startWindow();
  const c0 = cpuTicks(svc.child.pid);
  const own0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const seconds = (performance.now() - w0) / 1000;
  const cpu = (cpuTicks(svc.child.pid) - c0) / TICKS / seconds;
  const own = process.cpuUsage(own0);
  const receiversCpu = (own.user + own.system) / 1e6 / seconds;
  const kbps = receivers.reduce((a, r) => a + r.kbps(), 0) / n;
  const fps = receivers.map((r) => r.fps());
  const firstFrame = receivers.map((r) => r.stats.firstFrameMs ?? Number.NaN);
  await Promise.all(receivers.map((r) => r.close()));
  await new Promise((r) => setTimeout(r, 500));
  return {
    n,
    minFps: Math.min(...fps),
    meanFps: fps.reduce((a, b) => a + b, 0) / n,
    cpu,
    receiversCpu,
    kbps,
    firstFrame,
    setupMs,
  };
}

async function bench(size) {
  const svc = await serve(size, LEVELS.at(-1));
  const jwt = await token(svc.url, svc.apiKey);
  const start = performance.now();
  let best;
  let limited = false;
  const rows = [];
  try {
    for (const n of LEVELS) {
      if (performance.now() - start > BUDGET_MS) break;
      const r = await level(svc, jwt, n);
      rows.push(r);
      console.log(
        `${size} sessions=${n} min_fps=${r.minFps.toFixed(1)} mean_fps=${r.meanFps.toFixed(1)} ` +
          `testkit_cpu_cores=${r.cpu.toFixed(2)} cpu_per_session=${(r.cpu / n).toFixed(3)} ` +
          `receivers_cpu_cores=${r.receiversCpu.toFixed(2)} kbps_per_session=${Math.round(r.kbps)} ` +
          `first_frame_ms=${Math.round(r.firstFrame[0])}`,
      );
      if (r.minFps < MIN_FPS) {
        limited = true;
        break;
      }
      best = r;
    }
  } finally {
    svc.child.kill("SIGTERM");
  }
  const cold = rows[0]?.firstFrame[0];
  const warm = rows.flatMap((r) => r.firstFrame.slice(1));
  warm.sort((a, b) => a - b);
  console.log(
    `RESULT ${size}: max_sessions_at_${MIN_FPS}fps=${best?.n ?? 0}${limited ? "" : "+"} cpu_per_session=${best ? (best.cpu / best.n).toFixed(3) : "n/a"} cores ` +
      `first_frame_ms_first_session=${Math.round(cold)} first_frame_ms_median=${Math.round(warm[Math.floor(warm.length / 2)] ?? cold)}`,
  );
}

console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}; receivers run in this process`,
);
const t0 = performance.now();
setTimeout(() => {
  console.log(`stopped at the ${HARD_LIMIT_MS / 1000} s limit`);
  process.exit(0);
}, HARD_LIMIT_MS).unref();
await bench("640x360");
await bench("1280x720");
console.log(`total_s=${((performance.now() - t0) / 1000).toFixed(1)}`);
process.exit(0);
