// Publishing benchmark (issue 9's table). The testkit runs in a child process (`reactor-testkit
// serve`), so the CPU figures are this client process alone. Run after `pnpm build`:
//   node bench/publish.js            (BENCH_PUSH_SECONDS=60 by default; BENCH_PUSH_SECONDS=10 for a quick look)
// Every figure depends on the machine's load; the 2-core development machine is shared.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { createVideoEncoder, isNativeDecoderInstalled } from "@reactor-node/frames";
import { readPattern, renderPatternRgb } from "@reactor-node/testkit";
import { Reactor } from "../dist/index.js";

const PUSH_SECONDS = Number(process.env.BENCH_PUSH_SECONDS ?? 60);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const CEILING_FRAMES = Number(process.env.BENCH_CEILING_FRAMES ?? 150);
const FPS = 30;
const native = isNativeDecoderInstalled();

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : Number.NaN;
};
const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : "n/a");
const f3 = (n) => (Number.isFinite(n) ? n.toFixed(3) : "n/a");

/** Pictures of the pattern, rendered once; each push gets a fresh copy (the pusher's own cost). */
function pictures(width, height, count = 30) {
  return Array.from({ length: count }, (_, n) => renderPatternRgb(n, width, height));
}

async function startTestkit(size) {
  const bin = createRequire(import.meta.url)
    .resolve("@reactor-node/testkit/package.json")
    .replace(/package\.json$/, "bin/reactor-testkit.js");
  const child = spawn(process.execPath, [bin, "serve", "--port", "0", "--json", "--size", size], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = await once(child.stdout, "data");
  const { url, apiKey } = JSON.parse(String(line).split("\n")[0]);
  return {
    url,
    apiKey,
    close: async () => {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** Encoder alone, back to back (`block`), one 720p stream: the ceiling. */
async function ceiling(backend) {
  const encoder = createVideoEncoder({ backend, backpressure: "block" });
  await encoder.whenReady();
  const frames = pictures(1280, 720, 10);
  let done = 0;
  encoder.onEncoded(() => done++);
  // Warm-up (first frame opens the encoder).
  await encoder.push({ data: frames[0].slice(), width: 1280, height: 720, format: "rgb24" });
  while (done < 1) await new Promise((r) => setTimeout(r, 5));
  const start = performance.now();
  for (let n = 0; n < CEILING_FRAMES; n++) {
    await encoder.push({ data: frames[n % frames.length].slice(), width: 1280, height: 720, format: "rgb24" });
  }
  while (done < CEILING_FRAMES + 1) await new Promise((r) => setTimeout(r, 1));
  const fps = (CEILING_FRAMES * 1000) / (performance.now() - start);
  const stats = encoder.stats();
  await encoder.close();
  return { fps, encodeMs: stats.encodeMs, convertMs: stats.convertMs };
}

/** 720p RGB at 30 fps for PUSH_SECONDS into the testkit; CPU of this process, main-thread time per pushFrame. */
async function sustained(testkit, backend) {
  const reactor = new Reactor({
    modelName: "echo",
    apiKey: testkit.apiKey,
    apiUrl: testkit.url,
    autoResumeTracks: false,
  });
  await reactor.connect();
  const webcam = await reactor.track("webcam").publish({ encoder: backend });
  const frames = pictures(1280, 720);
  const pushMs = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const period = 1000 / FPS;
  let n = 0;
  for (; ; n++) {
    const due = t0 + n * period;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (performance.now() - t0 >= PUSH_SECONDS * 1000) break;
    const data = frames[n % frames.length].slice();
    const p0 = performance.now();
    webcam.pushFrame({ data, width: 1280, height: 720, format: "rgb24", timestamp: n * period });
    pushMs.push(performance.now() - p0);
  }
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  const cpu = process.cpuUsage(cpu0);
  const stats = webcam.stats();
  await reactor.disconnect();
  const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
  return {
    pushedFps: stats.pushed / seconds,
    encodedFps: stats.encoded / seconds,
    sentFps: stats.sent / seconds,
    dropped,
    drops: stats.dropped,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / (seconds * 1000 + 500)) * 100,
    pushP50: pct(pushMs, 50),
    pushP99: pct(pushMs, 99),
    encodeMs: stats.encodeMs,
    convertMs: stats.convertMs,
    kbps: stats.bytes / 125 / seconds,
  };
}

/** 640×360 pattern pushed, echoed by the testkit (forwarded), received as RGB: push → callback latency. */
async function latency(testkit) {
  const reactor = new Reactor({ modelName: "echo", apiKey: testkit.apiKey, apiUrl: testkit.url });
  const pushedAt = new Map();
  const latencies = [];
  reactor.onFrame((frame) => {
    if (frame.width !== 640 || frame.height !== 360) return;
    const reading = readPattern(frame.data, 640, 360);
    const at = reading && pushedAt.get(reading.frameNumber);
    if (at !== undefined) latencies.push({ at: performance.now(), ms: performance.now() - at });
  });
  await reactor.connect();
  const webcam = await reactor.track("webcam").publish();
  const frames = pictures(640, 360, 256);
  const t0 = performance.now();
  for (let n = 0; performance.now() - t0 < LATENCY_SECONDS * 1000; n++) {
    const due = t0 + (n * 1000) / FPS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pushedAt.set(n % 256, performance.now());
    webcam.pushFrame({
      data: frames[n % 256].slice(),
      width: 640,
      height: 360,
      format: "rgb24",
      timestamp: (n * 1000) / FPS,
    });
  }
  await new Promise((r) => setTimeout(r, 500));
  await reactor.disconnect();
  // The first second (keyframe, encoder and decoder start-up) is left out.
  const steady = latencies.filter((l) => l.at - t0 > 1000).map((l) => l.ms);
  return { p50: pct(steady, 50), p95: pct(steady, 95), frames: latencies.length };
}

const rows = [];
const say = (metric, value, target) => {
  rows.push([metric, value, target]);
  console.log(`${metric.padEnd(58)} ${value.padEnd(34)} ${target}`);
};
console.log(
  `publish benchmark: 720p pushes for ${PUSH_SECONDS} s, latency over ${LATENCY_SECONDS} s, node ${process.version}, native ${native ? "installed" : "absent"}`,
);

const wasmCeiling = await ceiling("wasm");
say(
  "encoder ceiling, one 720p stream, wasm",
  `${f1(wasmCeiling.fps)} fps (encode ${f1(wasmCeiling.encodeMs)} + convert ${f1(wasmCeiling.convertMs)} ms)`,
  "≥ 45 fps",
);
if (native) {
  const nativeCeiling = await ceiling("native");
  say(
    "encoder ceiling, one 720p stream, native",
    `${f1(nativeCeiling.fps)} fps (encode ${f1(nativeCeiling.encodeMs)} + convert ${f1(nativeCeiling.convertMs)} ms)`,
    "≥ 150 fps",
  );
}

const testkit = await startTestkit("320x240");
try {
  for (const backend of native ? ["wasm", "native"] : ["wasm"]) {
    const r = await sustained(testkit, backend);
    say(
      `push 1280×720 RGB at 30 fps for ${PUSH_SECONDS} s, ${backend}`,
      `${f1(r.encodedFps)} enc / ${f1(r.sentFps)} sent fps, ${r.dropped} dropped`,
      "≥ 29.5 fps, 0 dropped",
    );
    say(
      `  process CPU (% of one core), ${backend}`,
      `${f1(r.cpuPercent)} % (${f1(r.kbps)} kb/s, encode ${f1(r.encodeMs)} ms)`,
      backend === "native" ? "≤ 15 %" : "—",
    );
    say(
      `  main-thread time per 720p pushFrame, ${backend}`,
      `p50 ${f3(r.pushP50)} ms, p99 ${f3(r.pushP99)} ms`,
      "≤ 0.2 ms",
    );
    if (r.dropped) console.log(`  drops: ${JSON.stringify(r.drops)}`);
  }
  const l = await latency(testkit);
  say(
    "push → echoed by the testkit → received as RGB, 640×360",
    `p50 ${f1(l.p50)} ms, p95 ${f1(l.p95)} ms (${l.frames} frames)`,
    "p50 ≤ 60 ms",
  );
} finally {
  await testkit.close();
}
