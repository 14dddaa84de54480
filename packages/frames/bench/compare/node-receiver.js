// One receiving process of bench/compare.js: werift peers answering the sender's offers and this
// SDK's receiver on each track. Argument: `wasm` | `native` (decoder backend, RGB on the shared
// piscina pool) | `native-worker` / `wasm-worker` (RGB converted in the decoder worker: one hop
// fewer) | `werift` (RTP only, nothing decoded: werift's own share). Signalling and figures are JSON lines on
// stdin/stdout, as for bench/reference/aiortc_receiver.py:
//   in:  {type:"offer", id, sdp} · {type:"mark"} · {type:"stop"} · {type:"close"}
//   out: {type:"hello"} · {type:"answer", id, sdp} · {type:"stats", streams, mainCpuMs, ...}
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { RTCPeerConnection } from "werift";
import { createVideoReceiver } from "../../dist/index.js";
import { peerConfig } from "../e2e/ipc.js";

const kind = process.argv[2] ?? "wasm";
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const pcs = [];
const streams = [];

/** CPU time of this (the main) thread, ms (Linux schedstat). */
function mainCpuMs() {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

const hrUs = () => Number(process.hrtime.bigint() / 1000n);

function stream(id) {
  const s = {
    id,
    frames: 0,
    markFrames: 0,
    latencies: [],
    lastNumber: 0,
    outOfOrder: 0,
    width: 0,
    height: 0,
    video: undefined,
  };
  return s;
}

async function offer({ id, sdp }) {
  const pc = new RTCPeerConnection(peerConfig());
  pcs.push(pc);
  const s = stream(id);
  streams.push(s);
  pc.onTrack.subscribe((track) => {
    const transceiver = pc.getTransceivers().find((t) => t.receiver.track === track);
    if (kind === "werift") {
      track.onReceiveRtp.subscribe((rtp) => {
        if (rtp.header.marker) s.frames++;
      });
      return;
    }
    const [decoder, place] = kind.split("-");
    const conversion = place === "worker" ? "worker" : "pool";
    const video = createVideoReceiver({ decoder, conversion, policy: "queue", queueSize: 8, format: "rgb24" });
    s.video = video;
    video.onKeyframeNeeded(() => {
      if (track.ssrc !== undefined) void transceiver?.receiver.sendRtcpPLI(track.ssrc);
    });
    video.onFrame((frame) => {
      s.latencies.push(performance.timeOrigin + performance.now() - frame.receivedAt);
      if (frame.frameNumber !== s.lastNumber + 1) s.outOfOrder++;
      s.lastNumber = frame.frameNumber;
      s.width = frame.width;
      s.height = frame.height;
      s.frames++;
      video.release(frame);
    });
    track.onReceiveRtp.subscribe((rtp) => video.pushRtp(rtp, performance.timeOrigin + performance.now()));
  });
  await pc.setRemoteDescription({ type: "offer", sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  send({ type: "answer", id, sdp: pc.localDescription.sdp });
}

let mark;
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const message = JSON.parse(line);
  const run = async () => {
    if (message.type === "offer") return offer(message);
    if (message.type === "mark") {
      mark = {
        hrUs: hrUs(),
        cpu: mainCpuMs(),
        frames: streams.map((s) => s.frames),
        lat: streams.map((s) => s.latencies.length),
      };
      return;
    }
    if (message.type === "stop") {
      const cpu = mainCpuMs() - (mark?.cpu ?? 0);
      send({
        type: "stats",
        kind,
        mainCpuMs: cpu,
        // The window on process.hrtime's clock, µs (V8's profiles use it too: bench/profile.js).
        window: { fromUs: mark?.hrUs, toUs: hrUs() },
        streams: streams.map((s, i) => ({
          id: s.id,
          frames: s.frames,
          windowFrames: s.frames - (mark?.frames[i] ?? 0),
          latencies: s.latencies.slice(mark?.lat[i] ?? 0),
          outOfOrder: s.outOfOrder,
          width: s.width,
          height: s.height,
          stats: s.video?.stats(),
        })),
      });
      return;
    }
    if (message.type === "close") {
      await Promise.all(streams.map((s) => s.video?.close()));
      await Promise.all(pcs.map((pc) => pc.close()));
      process.exit(0);
    }
  };
  run().catch((error) => process.stderr.write(`node-receiver: ${error?.stack ?? error}\n`));
});
send({ type: "hello" });
