// Run your own per-frame code on a pool of worker threads; results come back in frame order.
import { Reactor } from "@reactor-node/client";
import { processFrames } from "@reactor-node/frames";
import { openTarget } from "./lib/target.mjs";

const target = await openTarget();
const reactor = new Reactor(target.options);
try {
  await reactor.connect();
  const frames = reactor.track("main_video").frames({ policy: "queue", queueSize: 8 });
  const processor = processFrames(frames, new URL("./lib/mean-colour.mjs", import.meta.url), { concurrency: 2 });
  let count = 0;
  let previous = 0;
  let inOrder = true;
  for await (const out of processor) {
    if ("error" in out) throw out.error;
    inOrder &&= out.frame.frameNumber > previous;
    previous = out.frame.frameNumber;
    if (++count % 15 === 0) console.log(`frame ${out.frame.frameNumber}: mean RGB ${JSON.stringify(out.result)}`);
    if (count === 60) break;
  }
  const stats = processor.stats();
  console.log(
    `processed ${stats.processed} frames on 2 worker threads, in order: ${inOrder}, dropped ${stats.dropped.stale + stats.dropped.queueFull}`,
  );
  await processor.close();
} finally {
  await reactor.disconnect();
  await target.close();
}
