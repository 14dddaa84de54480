// Publish a synthetic webcam into the model and read the frames it sends back. The echo model
// shows what it receives on `webcam` on its `main_video` output, so the test pattern pushed here
// (its frame numbers and colour patches are machine-readable) comes back and is checked. It is
// pushed at 480x270, so the model's own 640x360 picture (the same test card) is told apart.
import { Reactor } from "@reactor-node/client";
import { readPattern, renderPatternRgb } from "@reactor-node/testkit";
import { openTarget, sleep } from "./lib/target.mjs";

const WIDTH = 480;
const HEIGHT = 270;
const FPS = 30;
const SECONDS = Number(process.env.REACTOR_EXAMPLE_SECONDS || 3);

const target = await openTarget();
const reactor = new Reactor(target.options);
try {
  reactor.on("error", (error) => console.log(`error: ${error}`));
  const echoed = [];
  reactor.onFrame((frame) => {
    if (frame.width !== WIDTH || frame.height !== HEIGHT) return;
    const pattern = readPattern(frame.data, frame.width, frame.height);
    if (pattern) echoed.push({ n: pattern.frameNumber, at: Date.now(), frame });
  });
  console.log(`connecting to ${target.describe}`);
  await reactor.connect();

  // An input track of the model: `track(...).publish()` asks the GPU for its publisher slot.
  const webcam = await reactor.track("webcam").publish();
  console.log(`published webcam (state ${webcam.state})`);

  // The synthetic webcam: 30 fps of the test pattern, each frame stamped with its own time.
  const pushedAt = new Map();
  const start = performance.now();
  for (let n = 0; performance.now() - start < SECONDS * 1000; n++) {
    pushedAt.set(n % 256, Date.now());
    webcam.pushFrame({
      data: renderPatternRgb(n, WIDTH, HEIGHT),
      width: WIDTH,
      height: HEIGHT,
      format: "rgb24",
      timestamp: (n * 1000) / FPS,
    });
    await sleep(1000 / FPS);
  }
  await sleep(500); // the last frames on their way back

  const stats = webcam.stats();
  console.log(
    `pushed ${stats.pushed} frames, encoded ${stats.encoded} (${stats.keyframes} keyframes), sent ${stats.sent}, ` +
      `dropped ${Object.values(stats.dropped).reduce((a, b) => a + b, 0)}, encode ${stats.encodeMs.toFixed(1)} ms/frame (${stats.backend})`,
  );
  const numbers = echoed.map((e) => e.n);
  const inOrder = numbers.every((n, i) => i === 0 || (n - numbers[i - 1] + 256) % 256 < 128);
  const latencies = echoed.map((e) => e.at - (pushedAt.get(e.n) ?? e.at)).sort((a, b) => a - b);
  const p50 = latencies[Math.floor(latencies.length / 2)] ?? Number.NaN;
  console.log(
    `read back ${echoed.length} frames of the pattern on main_video, in order: ${inOrder}, push → back p50 ${p50} ms`,
  );
  await webcam.unpublish();
  console.log(`unpublished (state ${webcam.state})`);
  if (echoed.length === 0 || !inOrder) process.exitCode = 1;
} finally {
  await reactor.disconnect();
  await target.close();
}
