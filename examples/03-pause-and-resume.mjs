// Pause a received track (the model stops sending it) and resume it.
import { Reactor } from "@reactor-node/client";
import { openTarget, sleep } from "./lib/target.mjs";

const target = await openTarget();
const reactor = new Reactor(target.options);
try {
  let frames = 0;
  reactor.onFrame(() => frames++);
  await reactor.connect();
  const video = reactor.track("main_video");
  await sleep(1500);
  console.log(`playing: ${frames} frames`);
  await video.pause();
  await sleep(500); // let frames already in flight arrive
  const atPause = frames;
  await sleep(1500);
  console.log(`paused: ${frames - atPause} frames in 1.5 s`);
  await video.resume();
  await sleep(1500);
  console.log(`resumed: ${frames - atPause} frames since the pause`);
} finally {
  await reactor.disconnect();
  await target.close();
}
