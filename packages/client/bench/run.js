// Benchmark against the testkit: connect-to-first-frame (median of 10 fresh sessions) and
// command round trip (set_effect → effect_changed, median of 100). Run after `pnpm build`.
import { performance } from "node:perf_hooks";
import { startMockReactor } from "@reactor-node/testkit";
import { Reactor } from "../dist/index.js";

const CONNECTS = Number(process.env.BENCH_CONNECTS ?? 10);
const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 100);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;

const mock = await startMockReactor({ video: { width: 640, height: 360, fps: 30 } });
try {
  const connectTimes = [];
  const readyTimes = [];
  for (let i = 0; i < CONNECTS; i++) {
    const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    const start = performance.now();
    const firstFrame = new Promise((resolve) => {
      const off = reactor.onFrame(() => {
        off();
        resolve(performance.now() - start);
      });
    });
    await reactor.connect();
    readyTimes.push(performance.now() - start);
    connectTimes.push(await firstFrame);
    await reactor.disconnect();
  }

  const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
  await reactor.connect();
  const effects = ["invert", "grayscale", "sepia", "edges", "none"];
  const roundTrips = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const effect = effects[i % effects.length];
    const reply = new Promise((resolve) => {
      const off = reactor.on("message", (m) => {
        if (m.type === "effect_changed" && m.data?.effect === effect) {
          off();
          resolve(performance.now());
        }
      });
    });
    const start = performance.now();
    await reactor.sendCommand("set_effect", { effect });
    roundTrips.push((await reply) - start);
  }
  await reactor.disconnect();

  console.log(`connect → ready          median ${fmt(median(readyTimes))} (n=${CONNECTS})`);
  console.log(`connect → first frame    median ${fmt(median(connectTimes))} (n=${CONNECTS}, 640x360 RGB)`);
  console.log(
    `command round trip       median ${fmt(median(roundTrips))} (n=${ROUND_TRIPS}, set_effect → effect_changed)`,
  );
} finally {
  await mock.close();
}
