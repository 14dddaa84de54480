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

try {
  console.log(`connecting to ${target.describe}`);
  await reactor.connect();
  const heard = [];
  const listen = reactor.track("main_audio").onFrame((frame) => heard.push(frame));
  await sleep(SECONDS * 1000);
  if (target.embedded) {
    await reactor.sendCommand("set_tone", { frequency: 880 });
    await sleep(SECONDS * 1000);
  }
  listen();
  const first = heard[0];
  if (!first) throw new Error("no audio frames arrived");
  const samples = new Int16Array(heard.reduce((n, f) => n + f.data.length, 0));
  let at = 0;
  for (const f of heard) {
    samples.set(f.data, at);
    at += f.data.length;
  }
  const half = Math.floor(samples.length / 2);
  const rate = first.sampleRate;
  console.log(
    `heard ${heard.length} frames: ${(samples.length / first.channels / rate).toFixed(2)} s at ${rate} Hz, ${first.channels} channel(s)`,
  );
  console.log(
    `tone: ${toneFrequency(samples.subarray(rate, half), rate)?.toFixed(1)} Hz, then ${toneFrequency(samples.subarray(half + rate), rate)?.toFixed(1)} Hz`,
  );
  await writeFile(path, wav(samples, rate, first.channels));
  console.log(`wrote ${path}`);
} finally {
  await reactor.disconnect();
  await target.close();
}
