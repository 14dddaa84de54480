// The sending side of the end-to-end benchmark, run as a child process so that its CPU (pacing,
// packetizing, SRTP, UDP) stays out of the receiving process's measurement. It plays the testkit's
// synthetic VP8 stream through werift's Vp8Packetizer on sendonly werift peers; signalling and
// control travel over the IPC channel (messages in ./ipc.js). A PLI from the receiver makes the
// stream send a keyframe.
import { RTP_MAX_PAYLOAD_BYTES, VIDEO_RTP_CLOCK_HZ } from "@reactor-node/protocol";
import { acquireVideoEncoder, createVideoSource, DEFAULT_PATTERN_STATE, defaultBitrate } from "@reactor-node/testkit";
import { RTCPeerConnection } from "werift";
import { Vp8Packetizer } from "werift/nonstandard";
import { peerConfig } from "./ipc.js";

if (!process.send) throw new Error("sender.js must be started with an IPC channel (child_process.fork)");

/** @type {Map<number, Stream>} */
const streams = new Map();
/** CPU and time when the streams started (the sender's own cost is reported per run). */
let startedAt;

/**
 * @typedef {object} Stream
 * @property {RTCPeerConnection} pc
 * @property {import("werift").RTCRtpTransceiver} transceiver
 * @property {{ start(): void, stop(): void, close(): Promise<void>, ready: Promise<void>, requestKeyframe(): void, counters(): object }} player
 */

function send(message) {
  process.send(message);
}

/** Sends encoded frames as RTP on the stream's track. */
function rtpWriter(transceiver) {
  const packetizer = new Vp8Packetizer({ maxPayloadSize: RTP_MAX_PAYLOAD_BYTES });
  return (data, timestamp90k) => {
    for (const packet of packetizer.packetize(Buffer.from(data), timestamp90k)) {
      void transceiver.sender.sendRtp(packet).catch(() => {});
    }
  };
}

/** The testkit's paced source (black boundary frame, then the looped test pattern). */
function sourcePlayer({ width, height, fps }, write) {
  const source = createVideoSource({ width, height, fps });
  let first;
  let last;
  source.onFrame((frame) => {
    if (frame.frameNumber >= 0) {
      first ??= frame.frameNumber;
      last = frame.frameNumber;
    }
    write(frame.data, frame.timestamp90k);
  });
  return {
    ready: source.loopComplete,
    start: () => source.start(),
    stop: () => source.stop(),
    close: () => source.close(),
    requestKeyframe: () => source.requestKeyframe(),
    counters: () => ({ ...source.stats, firstNumber: first, lastNumber: last }),
  };
}

/**
 * Replays the same pre-encoded loop at any rate (the testkit's source stops at 120 fps): frame n
 * is loop frame n mod LOOP_FRAMES, a keyframe at index 0 or, after a PLI, the next keyframe
 * variant. Drift-free pacing; a late event loop sends late rather than skipping, and the achieved
 * rate is reported.
 */
function replayPlayer({ width, height, fps }, write) {
  const encoder = acquireVideoEncoder();
  const state = { ...DEFAULT_PATTERN_STATE, overlay: null };
  const loop = encoder.loop({ width, height, fps: 30, bitrate: defaultBitrate(width, height, 30) }, state);
  const period = 1000 / fps;
  let timer;
  let n = 0;
  let keyPending = false;
  let startedAt = 0;
  let lastSentAt = 0;
  let keyframes = 0;
  const tick = () => {
    const index = n % loop.delta.length;
    const variant = keyPending ? loop.keyframes[index] : null;
    if (variant) keyPending = false;
    if (variant || index === 0) keyframes++;
    write(variant ?? loop.delta[index], Math.round((n * VIDEO_RTP_CLOCK_HZ) / fps) % 2 ** 32);
    lastSentAt = performance.now();
    n++;
    timer = setTimeout(tick, Math.max(0, startedAt + n * period - performance.now()));
  };
  return {
    ready: loop.whenComplete(),
    start() {
      startedAt = performance.now();
      tick();
    },
    stop() {
      clearTimeout(timer);
    },
    close: () => encoder.release(),
    requestKeyframe() {
      keyPending = true;
    },
    counters: () => ({
      framesSent: n,
      keyframesSent: keyframes,
      firstNumber: 0,
      lastNumber: n - 1,
      achievedFps: ((n - 1) * 1000) / (lastSentAt - startedAt),
    }),
  };
}

function connected(pc) {
  if (pc.connectionState === "connected") return Promise.resolve();
  return new Promise((resolve) => {
    const sub = pc.connectionStateChange.subscribe((s) => {
      if (s === "connected") {
        sub.unSubscribe();
        resolve();
      }
    });
  });
}

async function open({ id, width, height, fps, mode }) {
  const pc = new RTCPeerConnection(peerConfig());
  const transceiver = pc.addTransceiver("video", { direction: "sendonly" });
  const write = rtpWriter(transceiver);
  const player =
    mode === "replay" ? replayPlayer({ width, height, fps }, write) : sourcePlayer({ width, height, fps }, write);
  let plis = 0;
  transceiver.sender.onPictureLossIndication.subscribe(() => {
    plis++;
    player.requestKeyframe();
  });
  streams.set(id, { pc, transceiver, player, plis: () => plis });
  await pc.setLocalDescription(await pc.createOffer());
  send({ type: "offer", id, sdp: pc.localDescription.sdp });
}

async function answer({ id, sdp }) {
  const stream = streams.get(id);
  await stream.pc.setRemoteDescription({ type: "answer", sdp });
  await Promise.all([connected(stream.pc), stream.player.ready]);
  send({ type: "ready", id });
}

async function close() {
  await Promise.all([...streams.values()].flatMap((s) => [s.player.close(), s.pc.close()]));
  send({ type: "closed" });
  process.disconnect();
}

process.on("message", (message) => {
  const run = async () => {
    switch (message.type) {
      case "open":
        return open(message);
      case "answer":
        return answer(message);
      case "start":
        startedAt = { cpu: process.cpuUsage(), t: performance.now() };
        for (const s of streams.values()) s.player.start();
        return;
      case "stop": {
        for (const s of streams.values()) s.player.stop();
        const counters = [...streams].map(([id, s]) => ({ id, plis: s.plis(), ...s.player.counters() }));
        const cpu = process.cpuUsage(startedAt?.cpu);
        const cpuPct = (100 * (cpu.user + cpu.system)) / 1000 / (performance.now() - (startedAt?.t ?? 0));
        send({ type: "stopped", streams: counters, cpuPct });
        return;
      }
      case "close":
        return close();
    }
  };
  run().catch((error) => {
    send({ type: "error", message: String(error?.stack ?? error) });
  });
});
send({ type: "hello" });
