// Throughput of the v0 codec: how much of a 5 s keep-alive budget or a 30 fps message stream
// it costs. Run: pnpm --filter @reactor-node/protocol bench
import { decodeDataFrame, encodeCommand, FileRef } from "../dist/index.js";

function measure(label, fn, iterations = 200_000) {
  for (let i = 0; i < 5_000; i++) fn(); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  console.log(
    `${label.padEnd(44)} ${(ns / 1000).toFixed(2).padStart(8)} µs/op  ${(1e9 / ns / 1000).toFixed(0).padStart(6)} k ops/s`,
  );
}

const ref = new FileRef({
  uploadId: "e883cdf4c0cc42ca8ff099f239cffe35",
  name: "a.png",
  mimeType: "image/png",
  size: 3,
});
const reply = '{"scope":"application","data":{"type":"effect_changed","data":{"intensity":1.0,"effect":"invert"}}}';
const schema = JSON.stringify({
  scope: "runtime",
  data: {
    type: "clipReady",
    data: {
      session_id: "s",
      kind: "snap",
      start_marker: 1,
      end_marker: 2,
      now_marker: 3,
      predicted_ready_at_ms: 4,
      playlist_url: "u",
    },
  },
});

measure("encodeCommand (small)", () => encodeCommand("set_effect", { effect: "invert" }));
measure("encodeCommand (with FileRef)", () =>
  encodeCommand("set_overlay_image", { overlay_image: ref, overlay_strength: 0.5 }),
);
measure("decodeDataFrame (model message)", () => decodeDataFrame(reply));
measure("decodeDataFrame (runtime clipReady, validated)", () => decodeDataFrame(schema));
measure("decodeDataFrame (garbage text)", () => decodeDataFrame("not json at all"));
