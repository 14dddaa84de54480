// The demo: connect to a model, watch video arrive, talk to the model, upload an image, save a
// snapshot, publish a synthetic webcam and read it back. Runs against an embedded mock Reactor
// unless REACTOR_API_KEY is set.
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Reactor } from "@reactor-node/client";
import { encodePng } from "@reactor-node/frames";
import { LOOP_FRAMES, readPattern, renderPatternRgb } from "@reactor-node/testkit";
import { nextEvent, openTarget, sleep } from "./lib/target.mjs";

const SECONDS = Number(process.env.REACTOR_DEMO_SECONDS || 5);
const SNAPSHOT = resolve(process.env.REACTOR_DEMO_SNAPSHOT || "out/snapshot.png");
const tty = process.stdout.isTTY;

const target = await openTarget();
const reactor = new Reactor(target.options);
const startedAt = performance.now();
const latencies = [];
let frames = 0;
let last;
reactor.on("status_changed", (status) => console.log(`status       ${status}`));
reactor.on("error", (error) => console.log(`error        ${error}`));
reactor.onFrame((frame) => {
  frames++;
  latencies.push(Date.now() - frame.receivedAt);
  last = frame;
});

const p50 = (values) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const drops = () => {
  const dropped = reactor.track("main_video").stats().decoder?.dropped ?? {};
  return Object.values(dropped).reduce((sum, n) => sum + n, 0);
};

let exitCode = 0;
try {
  console.log(`reactor-node demo: ${target.describe}`);
  await reactor.connect();
  const connectedMs = performance.now() - startedAt;
  console.log(`session      ${reactor.getSessionId()} ready in ${connectedMs.toFixed(0)} ms`);

  // Watch the stream: one progress line, redrawn on a TTY, printed once a second otherwise.
  const watchStart = performance.now();
  let windowStart = watchStart;
  let windowFrames = frames;
  while (performance.now() - watchStart < SECONDS * 1000) {
    await sleep(tty ? 250 : 1000);
    const now = performance.now();
    const fps = ((frames - windowFrames) * 1000) / (now - windowStart);
    windowStart = now;
    windowFrames = frames;
    const size = last ? `${last.width}x${last.height}` : "-";
    const line = `progress     ${fps.toFixed(1)} fps  latency p50 ${p50(latencies.slice(-60)).toFixed(1)} ms  frames ${frames}  drops ${drops()}  ${size}`;
    if (tty) process.stdout.write(`\r${line}\x1b[K`);
    else console.log(line);
  }
  if (tty) process.stdout.write("\n");

  // Talk to the model: the echo model answers set_effect with effect_changed.
  const reply = nextEvent(reactor, "message", (m) => m.type === "effect_changed");
  const sentAt = performance.now();
  await reactor.sendCommand("set_effect", { effect: "invert" });
  const message = await reply;
  console.log(`command      set_effect {"effect":"invert"}`);
  console.log(
    `reply        ${message.type} ${JSON.stringify(message.data)} after ${(performance.now() - sentAt).toFixed(1)} ms`,
  );

  // Upload a small image and use it.
  const image = encodePng(
    new Uint8Array(32 * 32 * 3).map((_, i) => [255, 140, 0][i % 3]),
    32,
    32,
  );
  const ref = await reactor.uploadFile(image, { name: "orange.png", mimeType: "image/png" });
  await reactor.sendCommand("set_overlay_image", { overlay_image: ref, overlay_strength: 0.5 });
  console.log(`upload       ${ref.name} (${ref.size} bytes) → ${ref.uploadId}, used in set_overlay_image`);

  await sleep(700); // let the new picture arrive
  if (!last) throw new Error("no video frame arrived");
  mkdirSync(resolve(SNAPSHOT, ".."), { recursive: true });
  writeFileSync(SNAPSHOT, encodePng(last.data, last.width, last.height));
  console.log(`snapshot     ${SNAPSHOT} (${last.width}x${last.height}, frame ${last.frameNumber})`);
  if (target.embedded) {
    // The mock's picture is machine-checkable: read the embedded frame number and colour patches back.
    const pattern = readPattern(last.data, last.width, last.height);
    if (!pattern) throw new Error("the snapshot does not show the test pattern");
    const good = pattern.patches.filter((p) => p.expected.every((v, i) => Math.abs(v - p.actual[i]) <= 40)).length;
    console.log(
      `pattern      frame #${pattern.frameNumber} (mod ${LOOP_FRAMES}), effect ${pattern.state.effect}, ` +
        `overlay ${pattern.state.overlayPresent ? "on" : "off"}, ${good}/${pattern.patches.length} colour patches within ±40`,
    );
  }

  if (reactor.getCapabilities()?.tracks.some((t) => t.name === "webcam" && t.direction === "sendonly")) {
    // Publish: a synthetic webcam goes into the model and comes back on its video output (the
    // echo model shows its input, with the effect selected above). 480x270, to tell it apart.
    const webcam = await reactor.track("webcam").publish();
    let readBack = 0;
    const offEcho = reactor.onFrame((frame) => {
      if (frame.width === 480 && frame.height === 270 && readPattern(frame.data, 480, 270)) readBack++;
    });
    for (let n = 0; n < 300 && (n < 45 || readBack === 0); n++) {
      webcam.pushFrame({ data: renderPatternRgb(n, 480, 270), width: 480, height: 270, format: "rgb24" });
      await sleep(33);
    }
    offEcho();
    const published = webcam.stats();
    await webcam.unpublish();
    console.log(
      `publish      webcam: pushed ${published.pushed}, sent ${published.sent} (${published.backend}), ` +
        `${readBack} frames of it read back on main_video`,
    );
  }

  const seconds = (performance.now() - watchStart) / 1000;
  console.log(
    `summary      ${frames} frames in ${seconds.toFixed(1)} s (${(frames / seconds).toFixed(1)} fps), ` +
      `latency p50 ${p50(latencies).toFixed(1)} ms, drops ${drops()}, connect ${connectedMs.toFixed(0)} ms`,
  );
} catch (error) {
  console.error(`demo failed: ${error}`);
  exitCode = 1;
} finally {
  await reactor.disconnect();
  await target.close();
}
process.exitCode = exitCode;
