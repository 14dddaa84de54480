// Where a publishing process's time goes (issue 9): one client process pushes 1280×720 RGB at
// 30 fps into the testkit (its own child process) with V8's sampling profiler on in every thread
// (`--cpu-prof`: the main thread and the encoder worker), keeps the samples of the steady window,
// and prints per thread the sampled time by owner and the top functions, with the CPU each thread
// used in that window (/proc schedstat: on-CPU time, unlike the profiler's samples, which a loaded
// machine stretches). `rtp` skips the encoder: frames encoded beforehand are handed to the
// publisher's sending side at 30 fps, so the main thread's figures are the RTP path alone
// (packetization, werift's SRTP and send, RTCP, pacing). Run after `pnpm build`:
//   node bench/publish-profile.js [wasm|native|rtp]     REACTOR_BENCH_SECONDS=15 (window), REACTOR_PROFILE_DIR=/tmp/x (keep files)
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createVideoEncoder } from "@reactor-node/frames";
import { printProfile, summariseProfile } from "../../frames/bench/cpu-profile.js";
import { Reactor } from "../dist/index.js";
import { pictures, pushSteady, sendSteady } from "./publish/push.js";
import { startTestkit } from "./publish/testkit.js";

const SECONDS = Number(process.env.REACTOR_BENCH_SECONDS ?? 15);
const [role, backend = "native", url, apiKey] =
  process.argv[2] === "--child" ? process.argv.slice(2) : ["parent", process.argv[2] ?? "native"];

/** Two seconds of the pattern at 720p, encoded (keyframe first) before anything is measured. */
async function encodedLoop() {
  const encoder = createVideoEncoder({ backend: "wasm", backpressure: "block" });
  const out = [];
  encoder.onEncoded((p) => out.push(p));
  for (const [n, data] of pictures(1280, 720, 61).entries()) {
    await encoder.push({ data, width: 1280, height: 720, format: "rgb24", timestamp: (n * 1000) / 30 });
  }
  while (out.length < 61) await new Promise((r) => setTimeout(r, 10));
  await encoder.close();
  return out;
}

if (role === "--child") {
  const loop = backend === "rtp" ? await encodedLoop() : undefined;
  const reactor = new Reactor({ modelName: "echo", apiKey, apiUrl: url, autoResumeTracks: false });
  await reactor.connect();
  const webcam = await reactor.track("webcam").publish({ encoder: backend === "rtp" ? "wasm" : backend });
  const result = loop
    ? await sendSteady(webcam, loop, { seconds: SECONDS })
    : await pushSteady(webcam, { width: 1280, height: 720, seconds: SECONDS });
  await reactor.disconnect();
  console.log(JSON.stringify(result));
} else {
  const keep = process.env.REACTOR_PROFILE_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), "publish-prof-"));
  mkdirSync(dir, { recursive: true });
  const testkit = await startTestkit("320x240");
  const l0 = loadavg();
  let output = "";
  try {
    const child = spawn(
      process.execPath,
      [
        "--cpu-prof",
        `--cpu-prof-dir=${dir}`,
        fileURLToPath(import.meta.url),
        "--child",
        backend,
        testkit.url,
        testkit.apiKey,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    child.stdout.on("data", (d) => {
      output += d;
    });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    if (code !== 0) throw new Error(`the pushing process exited with code ${code}`);
  } finally {
    await testkit.close();
  }
  const r = JSON.parse(output.trim().split("\n").at(-1));
  const windowMs = (r.window.toUs - r.window.fromUs) / 1000;
  console.log(
    `profile of publishing 1280×720 RGB at 30 fps, ${backend}, ${SECONDS} s steady window, ${r.frames} frames, load ${l0.map((l) => l.toFixed(2)).join(" ")} → ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  if (backend === "rtp") {
    const main = r.cpu.threads.find((t) => t.name === "main");
    const mainMs = (main.pct * r.cpu.wallMs) / 100;
    console.log(
      `RTP only: ${r.frames} frames, ${r.packets} packets (${(r.bytes / r.packets).toFixed(0)} B), ${((r.bytes * 8) / 1000 / r.seconds).toFixed(0)} kb/s; main thread ${(mainMs / r.frames).toFixed(3)} ms/frame, ${((1000 * mainMs) / r.packets).toFixed(1)} µs/packet (everything the main thread did, timers and RTCP included)`,
    );
  } else {
    console.log(
      `encoded ${r.encodedFps.toFixed(1)} fps, sent ${r.sentFps.toFixed(1)} fps, dropped ${r.dropped} ${JSON.stringify(r.drops)}; pushFrame p50 ${r.pushP50.toFixed(3)} ms p99 ${r.pushP99.toFixed(3)} ms (not preempted: p99 ${r.unpreemptedP99.toFixed(3)} ms, ${r.preempted} preempted)`,
    );
  }
  console.log(`process CPU ${r.cpu.pct.toFixed(1)} % of one core; by thread (schedstat):`);
  for (const t of r.cpu.threads.filter((t) => t.pct >= 0.1))
    console.log(
      `  ${t.name.padEnd(16)} ${t.tid.padStart(7)} ${t.pct.toFixed(1).padStart(5)} %  ${((t.pct * r.cpu.wallMs) / 100 / r.frames).toFixed(3)} ms/frame, runnable but waiting ${t.waitPct.toFixed(1)} %`,
    );
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    const s = summariseProfile(join(dir, file), r.window);
    if (s.total < windowMs * 0.002) continue;
    printProfile(file, s, windowMs, r.frames);
  }
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
