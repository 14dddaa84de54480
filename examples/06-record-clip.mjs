// Ask for a clip of the last seconds of the model's output and a recording of the whole session,
// then download both as MP4 files a player opens.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Reactor } from "@reactor-node/client";
import { openTarget, sleep } from "./lib/target.mjs";

const out = process.env.REACTOR_CLIP_DIR || tmpdir();
const target = await openTarget();
const reactor = new Reactor(target.options);
try {
  console.log(`connecting to ${target.describe}`);
  await reactor.connect();
  await sleep(3000); // let the model stream a little first

  const clip = await reactor.requestClip(2);
  console.log(
    `clip ${clip.kind}: ${clip.startMarker.toFixed(3)} s → ${clip.endMarker.toFixed(3)} s, ready at about ${new Date(clip.predictedReadyAt).toISOString()}`,
  );
  const clipPath = join(out, "reactor-clip.mp4");
  const saved = await reactor.downloadClip(clip, clipPath, {
    onProgress: (p) => process.stdout.write(`\r  ${p.partsDone}/${p.parts} parts, ${p.bytes} bytes`),
  });
  console.log(
    `\nsaved ${saved.path}: ${saved.bytes} bytes, ${saved.durationS.toFixed(2)} s in ${saved.segments} segment(s), after ${saved.pendingPolls} "not ready yet" poll(s)`,
  );

  const recording = await reactor.requestRecording();
  const recPath = join(out, "reactor-recording.mp4");
  const rec = await reactor.downloadClip(recording, recPath);
  console.log(`saved ${rec.path}: ${rec.bytes} bytes, ${rec.durationS.toFixed(2)} s (the whole session so far)`);
} finally {
  await reactor.disconnect();
  await target.close();
}
