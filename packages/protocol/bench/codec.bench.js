// Cost of the data-channel codecs: v1 (protobuf) next to v0 (JSON), through the one WireCodec
// interface the client uses. Rounds alternate which wire goes first and every figure is the
// median over rounds, so a noisy neighbour on the machine moves both wires alike.
// Run: pnpm --filter @reactor-node/protocol bench
import { FileRef, V0_CODEC, V1_CODEC } from "../dist/index.js";

const ROUNDS = 15;
const ITERATIONS = 20_000;
const WARMUP = 5_000;

const ref = new FileRef({
  uploadId: "e883cdf4c0cc42ca8ff099f239cffe35",
  name: "a.png",
  mimeType: "image/png",
  size: 3,
});
const commands = {
  "command (small)": { kind: "command", type: "set_effect", data: { effect: "invert" }, requestId: "data_1" },
  "command (with FileRef)": {
    kind: "command",
    type: "set_overlay_image",
    data: { overlay_image: ref, overlay_strength: 0.5 },
    requestId: "data_2",
  },
};
const reply = {
  kind: "model",
  type: "effect_changed",
  data: { intensity: 1.0, effect: "invert" },
  requestId: "data_1",
};
const clip = {
  kind: "runtime",
  type: "clipReady",
  requestId: "ctrl_1",
  data: {
    session_id: "s",
    kind: "snap",
    start_marker: 1,
    end_marker: 2,
    now_marker: 3,
    predicted_ready_at_ms: 4,
    playlist_url: "u",
  },
};

function cases(codec) {
  const replyFrame = codec.encodeServer(reply);
  const clipFrame = codec.encodeServer(clip);
  const commandFrame = codec.encodeClient(commands["command (small)"]);
  return {
    "encode command (small)": () => codec.encodeClient(commands["command (small)"]),
    "encode command (with FileRef)": () => codec.encodeClient(commands["command (with FileRef)"]),
    "decode reply (model message)": () => codec.decodeServer(replyFrame.channel, replyFrame.payload),
    "encode command + decode reply": () => {
      codec.encodeClient(commands["command (small)"]);
      codec.decodeServer(replyFrame.channel, replyFrame.payload);
    },
    "decode clipReady (validated)": () => codec.decodeServer(clipFrame.channel, clipFrame.payload),
    "decode command (GPU side)": () => codec.decodeClient(commandFrame.channel, commandFrame.payload),
    "decode garbage": () =>
      codec.decodeServer("data", codec.name === "v0" ? "not json at all" : new Uint8Array([0xff, 1])),
  };
}

function microseconds(fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) fn();
  return Number(process.hrtime.bigint() - start) / ITERATIONS / 1000;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const codecs = [V0_CODEC, V1_CODEC];
const table = Object.fromEntries(codecs.map((c) => [c.name, cases(c)]));
const names = Object.keys(table.v0);
const samples = Object.fromEntries(codecs.map((c) => [c.name, Object.fromEntries(names.map((n) => [n, []]))]));
for (const c of codecs) for (const n of names) for (let i = 0; i < WARMUP; i++) table[c.name][n]();
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? codecs : [...codecs].reverse();
  for (const n of names) for (const c of order) samples[c.name][n].push(microseconds(table[c.name][n]));
}
const size = (codec, m) => codec.encodeClient(m).payload.length;
console.log(`median of ${ROUNDS} interleaved rounds × ${ITERATIONS} ops (µs/op)`);
console.log(`${"".padEnd(34)} ${"v0 JSON".padStart(10)} ${"v1 proto".padStart(10)}  v1/v0`);
for (const n of names) {
  const v0 = median(samples.v0[n]);
  const v1 = median(samples.v1[n]);
  console.log(`${n.padEnd(34)} ${v0.toFixed(2).padStart(10)} ${v1.toFixed(2).padStart(10)}  ${(v1 / v0).toFixed(2)}×`);
}
for (const [label, m] of Object.entries(commands)) {
  console.log(
    `${`${label}, bytes`.padEnd(34)} ${String(size(V0_CODEC, m)).padStart(10)} ${String(size(V1_CODEC, m)).padStart(10)}`,
  );
}
