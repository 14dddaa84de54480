import { OPUS_FRAME_SAMPLES, TONE_AMPLITUDE, toneLoop, tonePcm } from "@reactor-node/testkit";
import { describe, expect, it } from "vitest";
import { RtpHeader, RtpPacket } from "werift";
import {
  type AudioFrame,
  Concealer,
  createAudioReceiver,
  opusPacketSamples,
  Resampler,
  rmsLevel,
  toneFrequency,
} from "../src/index.js";
import { eventually, osThreadCount } from "./helpers/threads.js";

function sine(frequency: number, rate: number, samples: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: samples }, (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
}

function toInt16(f: Float32Array): Int16Array {
  return Int16Array.from(f, (v) => Math.round(v * 32767));
}

function rtp(seq: number, ts: number, payload: Uint8Array): RtpPacket {
  return new RtpPacket(
    new RtpHeader({ payloadType: 111, sequenceNumber: seq & 0xffff, timestamp: ts >>> 0 }),
    Buffer.from(payload),
  );
}

async function collect(
  packets: Uint8Array[],
  options: Parameters<typeof createAudioReceiver>[0] = {},
  skip: Set<number> = new Set(),
): Promise<{ frames: AudioFrame[]; stats: ReturnType<ReturnType<typeof createAudioReceiver>["stats"]> }> {
  await using receiver = createAudioReceiver(options);
  await receiver.ready();
  const frames: AudioFrame[] = [];
  receiver.onFrame((f) => frames.push(f));
  const start = 1000;
  for (let i = 0; i < packets.length; i++) {
    if (skip.has(i)) continue;
    receiver.pushRtp(rtp(start + i, 90_000 + i * OPUS_FRAME_SAMPLES, packets[i]!));
  }
  await receiver.flush();
  return { frames, stats: receiver.stats() };
}

function concatPcm(frames: AudioFrame[]): Int16Array {
  const out = new Int16Array(frames.reduce((a, f) => a + f.data.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f.data, at);
    at += f.data.length;
  }
  return out;
}

describe("audio pieces", () => {
  it("reads Opus packet durations from the TOC byte", () => {
    expect(opusPacketSamples(Uint8Array.of(0xf8, 0xff, 0xfe))).toBe(960); // CELT FB 20 ms, one frame
    expect(opusPacketSamples(Uint8Array.of(0xf9))).toBe(1920); // two frames
    expect(opusPacketSamples(Uint8Array.of(0x1b, 0x02))).toBe(5760); // SILK 60 ms × 2 = 120 ms
    expect(opusPacketSamples(Uint8Array.of(0x1b, 0x03))).toBeUndefined(); // 180 ms is illegal
    expect(opusPacketSamples(new Uint8Array(0))).toBeUndefined();
  });

  it("resamples a tone to 16 kHz and 44.1 kHz keeping its frequency and level", () => {
    for (const rate of [16_000, 44_100]) {
      const r = new Resampler(48_000, rate);
      const input = sine(1000, 48_000, 48_000);
      // Fed in 20 ms pieces, as the decoder does.
      const parts: Float32Array[] = [];
      for (let i = 0; i < input.length; i += 960) parts.push(r.push(input.subarray(i, i + 960)));
      const out = toInt16(Float32Array.from(parts.flatMap((p) => [...p])));
      expect(Math.abs(out.length - rate)).toBeLessThan(100);
      expect(toneFrequency(out, rate)).toBeCloseTo(1000, 0);
      const steady = out.subarray(200);
      expect(rmsLevel(steady)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    }
  });

  it("removes what the lower rate cannot carry instead of aliasing it", () => {
    const r = new Resampler(48_000, 16_000);
    // 12 kHz is above 16 kHz's Nyquist (8 kHz): it must vanish, not fold to 4 kHz.
    const out = toInt16(r.push(sine(12_000, 48_000, 48_000)));
    expect(rmsLevel(out.subarray(200))).toBeLessThan(0.005);
  });

  it("conceals a gap by continuing the last pitch period, then fades out", () => {
    const c = new Concealer(48_000, 1);
    const tone = sine(480, 48_000, 4800); // period 100 samples
    c.heard([tone]);
    const [filled] = c.conceal(960);
    const expected = sine(480, 48_000, 4800 + 960).subarray(4800);
    let worst = 0;
    for (let i = 120; i < 960; i++) worst = Math.max(worst, Math.abs(filled![i]! - expected[i]!));
    expect(worst).toBeLessThan(0.02);
    const [tail] = c.conceal(48 * 60);
    expect(Math.abs(tail![tail!.length - 1]!)).toBe(0);
  });
});

describe("audio receiver", () => {
  it("decodes the testkit's Opus tone to PCM at its frequency, mono 48 kHz by default", async () => {
    const loop = await toneLoop(440);
    const { frames, stats } = await collect([...loop, ...loop]);
    expect(stats).toMatchObject({ received: 100, decoded: 100, concealed: 0 });
    expect(frames[0]).toMatchObject({ sampleRate: 48_000, channels: 1 });
    expect(frames.every((f) => f.data.length === f.samplesPerChannel * f.channels)).toBe(true);
    const pcm = concatPcm(frames);
    expect(pcm.length).toBe(100 * OPUS_FRAME_SAMPLES);
    const f = toneFrequency(pcm.subarray(4800), 48_000)!;
    expect(Math.abs(f - 440) / 440).toBeLessThan(0.01);
    expect(rmsLevel(pcm.subarray(4800))).toBeGreaterThan((TONE_AMPLITUDE / Math.SQRT2) * 0.8);
    // Timestamps follow the RTP clock: 20 ms apart.
    expect(frames[1]!.timestamp - frames[0]!.timestamp).toBeCloseTo(20, 5);
  });

  it("resamples and upmixes on request", async () => {
    const loop = await toneLoop(1000);
    const { frames } = await collect(loop, { sampleRate: 16_000, channels: 2 });
    expect(frames[0]).toMatchObject({ sampleRate: 16_000, channels: 2 });
    const pcm = concatPcm(frames);
    expect(Math.abs(pcm.length / 2 - 16_000)).toBeLessThan(100);
    expect(toneFrequency(pcm.subarray(2000), 16_000, 2)).toBeCloseTo(1000, -1);
    // Both channels carry the same (mono) signal.
    expect(pcm[3000]).toBe(pcm[3001]);
  });

  it("conceals a lost packet so the output stays continuous", async () => {
    const loop = await toneLoop(440);
    const { frames, stats } = await collect(loop, {}, new Set([20]));
    expect(stats).toMatchObject({ received: 49, decoded: 49, concealed: 1 });
    const concealed = frames.filter((f) => f.concealed);
    expect(concealed).toHaveLength(1);
    expect(concealed[0]!.samplesPerChannel).toBe(OPUS_FRAME_SAMPLES);
    expect(concatPcm(frames).length).toBe(50 * OPUS_FRAME_SAMPLES);
    expect(rmsLevel(concealed[0]!.data)).toBeGreaterThan(0.1);
  });

  it("a long gap is a discontinuity: faded out, not filled", async () => {
    const loop = await toneLoop(440);
    const skip = new Set(Array.from({ length: 25 }, (_, i) => 10 + i)); // 500 ms
    const { frames, stats } = await collect(loop, {}, skip);
    expect(stats.discontinuities).toBe(1);
    expect(concatPcm(frames).length).toBe(25 * OPUS_FRAME_SAMPLES + 48 * 60);
  });

  it("drops malformed packets with a counter and survives a worker crash; closing leaves no thread", async () => {
    const before = osThreadCount();
    const receiver = createAudioReceiver();
    const errors: string[] = [];
    receiver.onError((e) => errors.push(e.code));
    await receiver.ready();
    const loop = await toneLoop(440);
    receiver.pushRtp(rtp(1, 0, new Uint8Array(0)));
    receiver.pushRtp(rtp(2, 960, loop[0]!));
    await receiver.flush();
    expect(receiver.stats().dropped.decodeError).toBe(1);
    const first = receiver.workerThreadId;
    receiver.simulateWorkerCrash();
    await eventually(() => receiver.stats().workerRestarts === 1);
    expect(errors).toContain("WORKER_CRASHED");
    const frames: AudioFrame[] = [];
    receiver.onFrame((f) => frames.push(f));
    for (let i = 1; i < 10; i++) receiver.pushRtp(rtp(2 + i, 960 * (i + 1), loop[i]!));
    await receiver.flush();
    expect(frames.length).toBeGreaterThan(0);
    expect(receiver.workerThreadId).not.toBe(first);
    await receiver.close();
    await receiver.close();
    if (before !== undefined) await eventually(() => osThreadCount() === before);
  });

  it("frames() delivers with the declared policy and ends on close", async () => {
    const receiver = createAudioReceiver();
    await receiver.ready();
    const iterator = receiver.frames({ policy: "queue", queueSize: 5 });
    const loop = await toneLoop(440);
    for (let i = 0; i < 20; i++) receiver.pushRtp(rtp(i, i * 960, loop[i]!));
    await receiver.flush();
    const got: AudioFrame[] = [];
    for (let i = 0; i < 5; i++) got.push((await iterator.next()).value as AudioFrame);
    expect(receiver.stats().dropped.queueFull).toBe(15);
    // The queue kept the newest five.
    expect(got[4]!.timestamp - got[0]!.timestamp).toBeCloseTo(80, 5);
    const pending = iterator.next();
    await receiver.close();
    expect((await pending).done).toBe(true);
    expect(() => createAudioReceiver({ sampleRate: 4000 })).toThrow(/sampleRate/);
    expect(() => createAudioReceiver({ channels: 3 as 1 })).toThrow(/channels/);
  });

  it("the tone helper matches what the decoder hears", () => {
    expect(toneFrequency(tonePcm(440, 0, 48_000), 48_000)).toBeCloseTo(440, 3);
  });
});
