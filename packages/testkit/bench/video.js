// Benchmark of the fake GPU's video source. Run after `pnpm --filter @reactor-node/testkit build`:
//   node bench/video.js
// Prints plain numbers; bounded to 90 s.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  clearLoopMemoryCache,
  createVideoSource,
  defaultBitrate,
  LOOP_FRAMES,
  VideoEncoderService,
} from "../dist/video/index.js";

const BUDGET_MS = 90_000;
const guard = setTimeout(() => {
  console.error("video bench: over budget, aborting");
  process.exit(1);
}, BUDGET_MS);
guard.unref();

const sizes = [
  [640, 360],
  [1280, 720],
];
const dir = await mkdtemp(join(tmpdir(), "reactor-video-bench-"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n, d = 1) => n.toFixed(d);

function service(cacheDir) {
  const s = new VideoEncoderService({ cacheDir });
  s.retain();
  return s;
}

try {
  for (const [width, height] of sizes) {
    const label = `${width}x${height}`;

    // Cold: encode the loop in the worker (chain + keyframe variants), then write the disk cache.
    clearLoopMemoryCache();
    let enc = service(dir);
    let t0 = performance.now();
    let source = createVideoSource({ width, height, encoder: enc });
    await source.ready;
    const firstMs = performance.now() - t0;
    await source.loopComplete;
    const loopMs = performance.now() - t0;
    await source.close();
    await enc.release();
    console.log(`loop_encode_${label}_first_frame_ms ${fmt(firstMs)}`);
    console.log(`loop_encode_${label}_total_ms ${fmt(loopMs, 0)}`);
    console.log(`loop_encode_${label}_ms_per_frame ${fmt(loopMs / LOOP_FRAMES, 2)}`);

    // Disk hit (wait for the write to land first), then memory hit.
    await sleep(300);
    clearLoopMemoryCache();
    enc = service(dir);
    t0 = performance.now();
    source = createVideoSource({ width, height, encoder: enc });
    await source.loopComplete;
    const diskMs = performance.now() - t0;
    const diskHits = enc.stats().loopsFromDisk;
    await source.close();
    t0 = performance.now();
    source = createVideoSource({ width, height, encoder: enc });
    await source.loopComplete;
    const memoryMs = performance.now() - t0;
    await source.close();
    console.log(`loop_cache_${label}_disk_hit_ms ${fmt(diskMs, 2)} (hits=${diskHits})`);
    console.log(`loop_cache_${label}_memory_hit_ms ${fmt(memoryMs, 3)}`);

    // Live: render + encode round trips through the worker, back to back.
    const params = { width, height, fps: 30, bitrate: defaultBitrate(width, height, 30) };
    const stream = enc.openLiveStream();
    const state = { effect: "sepia", intensity: 1, caption: "bench", overlay: null, overlayStrength: 0.5 };
    await enc.encodeLive(stream, params, 0, true, state); // warm-up (context creation)
    const frames = width >= 1280 ? 40 : 90;
    let bytes = 0;
    t0 = performance.now();
    for (let n = 1; n <= frames; n++) bytes += (await enc.encodeLive(stream, params, n, false)).data.length;
    const liveMs = (performance.now() - t0) / frames;
    enc.closeLiveStream(stream);
    console.log(`live_encode_${label}_ms_per_frame ${fmt(liveMs, 2)}`);
    console.log(`live_encode_${label}_kbps_at_30fps ${fmt((bytes * 8 * 30) / frames / 1000, 0)}`);
    await enc.release();
  }

  // CPU per paced stream: process CPU (all threads) over a fixed window.
  const WINDOW_MS = 3000;
  for (const [streams, live] of [
    [8, false],
    [1, true],
  ]) {
    const enc = service(dir);
    const sources = Array.from({ length: streams }, () => createVideoSource({ width: 640, height: 360, encoder: enc }));
    await Promise.all(sources.map((s) => s.loopComplete));
    let frames = 0;
    for (const s of sources) {
      s.onFrame(() => frames++);
      if (live) s.setState({ effect: "edges", caption: "cpu" });
      s.start();
    }
    await sleep(300); // settle (live: first keyframe)
    frames = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    for (const s of sources) await s.close();
    await enc.release();
    const corePct = ((cpu.user + cpu.system) / 1000 / wall) * 100;
    const kind = live ? "live" : "loop";
    console.log(`paced_${kind}_640x360_streams ${streams}`);
    console.log(`paced_${kind}_640x360_fps_per_stream ${fmt((frames / streams / wall) * 1000)}`);
    console.log(`paced_${kind}_640x360_cpu_pct_of_core_per_stream ${fmt(corePct / streams, 2)}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
  clearTimeout(guard);
}
