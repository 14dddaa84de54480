// Benchmark: CPU of receiving audio as PCM, per stream. Feeds 60 s of the testkit's Opus tone
// (RTP packets, 20 ms each) into audio receivers as fast as they take them and reports the
// process CPU (main thread + the Opus worker) per second of audio: the share of one core one
// real-time stream costs. Variants: 48 kHz mono (no resampling), 16 kHz mono and 44.1 kHz stereo.
import { toneLoop } from "@reactor-node/testkit";
import { RtpHeader, RtpPacket } from "werift";
import { createAudioReceiver } from "../dist/index.js";

const SECONDS = 60;
const PACKETS = SECONDS * 50;

async function run(label, options, report = true) {
  const loop = await toneLoop(440);
  const receiver = createAudioReceiver({ ...options, queueSize: 64 });
  await receiver.ready();
  let samples = 0;
  receiver.onFrame((f) => {
    samples += f.samplesPerChannel;
  });
  const packets = Array.from({ length: PACKETS }, (_, i) => {
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: i & 0xffff, timestamp: (i * 960) >>> 0 });
    return new RtpPacket(header, Buffer.from(loop[i % loop.length]));
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < packets.length; i++) {
    receiver.pushRtp(packets[i]);
    // Let the pump run between bursts, as packets would arrive spread out.
    if (i % 50 === 49) await receiver.flush();
  }
  await receiver.flush();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const stats = receiver.stats();
  await receiver.close();
  if (!report) return;
  console.log(
    `${label.padEnd(22)} ${((100 * cpuS) / SECONDS).toFixed(2).padStart(5)} % of one core per stream` +
      `  (${cpuS.toFixed(2)} s CPU for ${SECONDS} s of audio, ${(wallMs / 1000).toFixed(2)} s wall, worker ${stats.decodeMs.toFixed(0)} ms, ${stats.decoded} packets, ${samples} samples)`,
  );
}

console.log(`audio receive → PCM, ${SECONDS} s of 20 ms Opus packets per run (Node ${process.version})`);
// A first run warms libav.js (its WASM compile is per process) and is not reported.
await run("warm-up", {}, false);
await run("48 kHz mono", {});
await run("16 kHz mono", { sampleRate: 16_000 });
await run("44.1 kHz stereo", { sampleRate: 44_100, channels: 2 });
