import { setTimeout as sleep } from "node:timers/promises";
import { consume } from "./e2e/consumer.js";
import { openSession } from "./e2e/session.js";

const session = await openSession([{ width: 1280, height: 720, fps: 30, mode: "source" }]);
const m = consume(session.streams[0]);
await m.video.ready();
session.start();
await sleep(15000);
await session.stop();
console.log(m.frames, JSON.stringify(m.video.stats()));
await m.detach();
await session.close();
