// Receive the model's audio as PCM (decoded off the main thread) and write what was heard to a
// WAV file. The testkit's echo model plays a tone; `set_tone` changes its frequency.
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Reactor } from "@reactor-node/client";
import { toneFrequency } from "@reactor-node/frames";
import { openTarget, sleep } from "./lib/target.mjs";

const SECONDS = 2;
const path = join(process.env.REACTOR_WAV_DIR || tmpdir(), "reactor-audio.wav");
const target = await openTarget();
const reactor = new Reactor({ ...target.options, audio: { sampleRate: 16_000, channels: 1 } });

/** A 16-bit PCM WAV file of interleaved samples. */
function wav(samples, sampleRate, channels) {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + samples.byteLength, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(samples.byteLength, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]);
}

/** Concatenates frames' samples. */
function joinPcm(frames) {
  const out = new Int16Array(frames.reduce((n, f) => n + f.data.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f.data, at);
    at += f.data.length;
  }
  return out;
}

/** The tone in the last half second heard, once there is that much. */
function lastTone(frames) {
  const first = frames[0];
  if (!first) return undefined;
  const pcm = joinPcm(frames);
  const half = Math.floor(first.sampleRate / 2) * first.channels;
  return pcm.length < half
    ? undefined
    : toneFrequency(pcm.subarray(pcm.length - half), first.sampleRate, first.channels);
}

/** Waits (≤ 15 s) until the last half second holds a tone `accept` likes. */
async function until(frames, accept) {
  for (let waited = 0; waited < 15_000; waited += 100) {
    const f = lastTone(frames);
    if (f !== undefined && accept(f)) return f;
    await sleep(100);
  }
  return lastTone(frames);
}

try {
  console.log(`connecting to ${target.describe}`);
  await reactor.connect();
  const heard = [];
  let phase = [];
  const listen = reactor.track("main_audio").onFrame((frame) => {
    heard.push(frame);
    phase.push(frame);
  });
  await sleep(SECONDS * 1000);
  const before = await until(phase, () => true);
  let after;
  if (target.embedded) {
    await reactor.sendCommand("set_tone", { frequency: 880 });
    phase = [];
    after = await until(phase, (f) => Math.abs(f - 880) < 20);
  }
  listen();
  const first = heard[0];
  if (!first) throw new Error("no audio frames arrived");
  const samples = joinPcm(heard);
  const rate = first.sampleRate;
  console.log(
    `heard ${heard.length} frames: ${(samples.length / first.channels / rate).toFixed(2)} s at ${rate} Hz, ${first.channels} channel(s)`,
  );
  console.log(`tone: ${before?.toFixed(1)} Hz${after === undefined ? "" : `, then ${after.toFixed(1)} Hz`}`);
  await writeFile(path, wav(samples, rate, first.channels));
  console.log(`wrote ${path}`);
} finally {
  await reactor.disconnect();
  await target.close();
}
