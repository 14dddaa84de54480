// A second client adopts the first one's session by id; both receive the same model output.
import { Reactor } from "@reactor-node/client";
import { openTarget, sleep } from "./lib/target.mjs";

const target = await openTarget();
const owner = new Reactor(target.options);
const viewer = new Reactor(target.options);
try {
  await owner.connect();
  const sessionId = owner.getSessionId();
  console.log(`owner created session ${sessionId}`);
  await viewer.connect({ sessionId });
  console.log(`viewer adopted session ${viewer.getSessionId()}`);
  let ownerFrames = 0;
  let viewerFrames = 0;
  owner.onFrame(() => ownerFrames++);
  viewer.onFrame(() => viewerFrames++);
  await sleep(2000);
  console.log(`owner received ${ownerFrames} frames, viewer received ${viewerFrames} frames`);
  await viewer.disconnect(); // an adopting client never ends the session
  console.log(`after the viewer left, the owner is ${owner.getStatus()}`);
} finally {
  await viewer.disconnect();
  await owner.disconnect();
  await target.close();
}
