// Benchmark: clip download throughput against the testkit. A 720p30 session streams for
// BENCH_RECORD_S seconds, then a recording of it is downloaded BENCH_DOWNLOADS times (the
// recording's bytes are cut once, so every download after the first measures the HTTP + disk
// path alone) and a 2 s clip once (request → file, including the 202 wait for its chunk).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startMockReactor } from "@reactor-node/testkit";
import { Reactor } from "../dist/index.js";

const RECORD_S = Number(process.env.BENCH_RECORD_S ?? 20);
const DOWNLOADS = Number(process.env.BENCH_DOWNLOADS ?? 5);

const dir = await mkdtemp(join(tmpdir(), "reactor-bench-clips-"));
const mock = await startMockReactor({ video: { width: 1280, height: 720, fps: 30 } });
try {
  const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
  await reactor.connect();
  await new Promise((r) => setTimeout(r, RECORD_S * 1000));

  const t0 = performance.now();
  const clip = await reactor.downloadClip(2, join(dir, "clip.mp4"));
  const clipMs = performance.now() - t0;

  const recording = await reactor.requestRecording();
  const first = await reactor.downloadClip(recording, join(dir, "rec-0.mp4"));
  const rates = [];
  for (let i = 1; i <= DOWNLOADS; i++) {
    const start = performance.now();
    const saved = await reactor.downloadClip(recording, join(dir, `rec-${i}.mp4`));
    rates.push(saved.bytes / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  const mb = (bytes) => (bytes / 1e6).toFixed(1);
  console.log(`clip download against the testkit (720p30, Node ${process.version})`);
  console.log(
    `  2 s clip, request → file:      ${clipMs.toFixed(0)} ms (${mb(clip.bytes)} MB, ${clip.pendingPolls} polls answered 202 while its chunk closed)`,
  );
  console.log(
    `  ${recording.endMarker.toFixed(1)} s recording, ${mb(first.bytes)} MB in ${first.segments} segments: median ${mb(rates[rates.length >> 1])} MB/s (min ${mb(rates[0])}, max ${mb(rates.at(-1))}) over ${DOWNLOADS} downloads`,
  );
  await reactor.disconnect();
} finally {
  await mock.close();
  await rm(dir, { recursive: true, force: true });
}
