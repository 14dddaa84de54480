import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { acquireVideoEncoder, DEFAULT_PATTERN_STATE, defaultBitrate } from "@reactor-node/testkit";
import { Vp8Packetizer } from "werift/nonstandard";
import { createVideoReceiver } from "../dist/index.js";
import { Worker } from "node:worker_threads";
const orig = Worker.prototype.postMessage; let pmMs = 0, pmN = 0, pmCpu = 0, pmMax = 0; const pmHist = [];
Worker.prototype.postMessage = function (...a) { const c = mainNs(); const t = performance.now(); const r = orig.apply(this, a); const d = performance.now() - t; pmMs += d; pmN++; pmCpu += mainNs() - c; pmHist.push(d); return r; };
const mainNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]);
const enc = acquireVideoEncoder();
const loop = enc.loop({ width: 1280, height: 720, fps: 30, bitrate: defaultBitrate(1280, 720, 30) }, { ...DEFAULT_PATTERN_STATE, overlay: null });
await loop.whenComplete();
const pk = new Vp8Packetizer({ maxPayloadSize: 1200 });
const frames = loop.delta.map((d, i) => pk.packetize(Buffer.from(d), i * 3000));
console.log("packets/frame", (frames.flat().length / frames.length).toFixed(1), "bytes/frame", (loop.delta.reduce((a, d) => a + d.length, 0) / 256).toFixed(0));
const mode = process.argv[2] ?? "rtp";
const fps = Number(process.argv[3] ?? 30);
const video = createVideoReceiver({ policy: "queue", queueSize: 8 });
await video.ready();
let n = 0; let pushMs = 0;
video.onFrame((f) => { n++; video.release(f); });
const N = Number(process.argv[4] ?? 256);
let t0, c0;
for (let i = 0; i < N; i++) {
  if (i === 30) { t0 = performance.now(); c0 = mainNs(); }
  const s = performance.now();
  if (mode === "rtp") for (const p of frames[i % 256]) video.pushRtp(p);
  else video.pushEncodedFrame({ data: loop.delta[i % 256], timestamp: i * 33 });
  pushMs += performance.now() - s;
  await sleep(1000 / fps);
}
await video.flush();
const c1 = mainNs();
console.log(mode, "main CPU ms/frame", ((c1 - c0) / 1e6 / (N - 30)).toFixed(3), "push ms/frame", (pushMs / N).toFixed(3), "delivered", n, JSON.stringify(video.stats().dropped));
pmHist.sort((a,b)=>a-b); console.log("postMessage", pmN, "calls, wall ms/call", (pmMs/pmN).toFixed(3), "cpu ms/call", (pmCpu/1e6/pmN).toFixed(3), "p50", pmHist[pmHist.length>>1].toFixed(3), "p99", pmHist[Math.floor(pmHist.length*0.99)].toFixed(3));
await video.close(); await enc.release();
