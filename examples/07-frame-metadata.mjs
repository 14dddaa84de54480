// Per-frame metadata: every received frame carries an id and a capture time; frames you publish
// can carry your own bytes (userData), which the echo model sends back on the frames it echoes.
import { Reactor, timeMicros } from "@reactor-node/client";
import { renderPatternRgb } from "@reactor-node/testkit";
import { openTarget, sleep } from "./lib/target.mjs";

const W = 320;
const H = 180;
const target = await openTarget();
const reactor = new Reactor(target.options); // frameMetadata: true is the default
try {
  let tagged = 0;
  let lastId;
  let lastLatencyMs;
  const echoed = [];
  reactor.onFrame((frame) => {
    if (!frame.metadata) return;
    tagged++;
    lastId = frame.metadata.frameId;
    if (frame.metadata.captureTimeUs) lastLatencyMs = Number(timeMicros() - frame.metadata.captureTimeUs) / 1000;
    if (frame.metadata.userData) echoed.push(new TextDecoder().decode(frame.metadata.userData));
  });
  console.log(`connecting to ${target.describe}`);
  await reactor.connect();
  for (let waited = 0; tagged < 30 && waited < 20_000; waited += 100) await sleep(100);
  console.log(
    `received ${tagged} frames with metadata; last frame id ${lastId}, capture → here ${lastLatencyMs?.toFixed(1)} ms`,
  );

  // Publish a webcam track whose frames carry user data; the echo model returns it with each frame.
  const webcam = await reactor.track("webcam").publish();
  for (let n = 0; n < 300 && echoed.length < 10; n++) {
    const frame = { data: renderPatternRgb(n, W, H), width: W, height: H, format: "rgb24", timestamp: (n * 1000) / 30 };
    await webcam.pushFrame(frame, { userData: new TextEncoder().encode(`hello #${n}`), captureTimeUs: timeMicros() });
    await sleep(33);
  }
  await webcam.unpublish();
  console.log(`echoed user data came back on ${echoed.length} frames, e.g. "${echoed.at(-1)}"`);
} finally {
  await reactor.disconnect();
  await target.close();
}
