// Connect to a model and receive decoded RGB video frames.
import { Reactor } from "@reactor-node/client";
import { openTarget, sleep } from "./lib/target.mjs";

const target = await openTarget();
const reactor = new Reactor(target.options);
try {
  reactor.on("status_changed", (status) => console.log(`status: ${status}`));
  let frames = 0;
  let last;
  reactor.onFrame((frame) => {
    frames++;
    last = frame;
  });
  console.log(`connecting to ${target.describe}`);
  await reactor.connect();
  await sleep(3000);
  console.log(`received ${frames} frames; last ${last?.width}x${last?.height}, ${last?.data.length} RGB bytes`);
} finally {
  await reactor.disconnect();
  await target.close();
}
