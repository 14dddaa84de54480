// Reading V8 `--cpu-prof` files (shared by this package's bench/profile.js and the client's
// bench/publish-profile.js): self time by owner and by function, within a window on
// process.hrtime's clock (µs), which V8's profile timestamps use too.
import { readFileSync } from "node:fs";
import { basename } from "node:path";

/** Who a frame's code belongs to, from its script URL (undefined: Node's own, charged to its caller). */
function owner(url) {
  if (!url) return undefined;
  if (url.startsWith("node:") || !url.includes("/")) return undefined;
  for (const name of ["werift", "comlink", "piscina", "@libav.js", "node-av"])
    if (url.includes(`/${name}`)) return name;
  if (url.includes("/packages/frames/")) return "frames";
  if (url.includes("/packages/")) return basename(url.slice(0, url.indexOf("/dist/")) || url);
  if (url.includes("/node_modules/")) return url.slice(url.lastIndexOf("/node_modules/") + 14).split("/")[0];
  return "other";
}

/** A thread's role, from a script only that thread runs. */
const ROLES = [
  ["vp8-decoder", "decoder worker"],
  ["encoder-worker", "encoder worker"],
  ["convert-task", "conversion pool thread"],
  ["frame-task", "processing pool thread"],
];

/**
 * Sampled time of one profile inside `window` ({fromUs, toUs}; whole profile when undefined):
 * `total` ms, `self` ms by function, `byOwner` ms (a sample of Node's own code is charged to the
 * nearest caller that is not Node's, so werift's SRTP encryption counts as werift's), and the
 * thread's `role`.
 */
export function summariseProfile(file, window) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const byOwner = new Map();
  let t = profile.startTime;
  let total = 0;
  const scripts = new Set();
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000; // the sample lasts until the next one
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    const node = nodes.get(profile.samples[i]);
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    total += dt;
    const key = `${functionName || "(anonymous)"} ${url ? `${basename(url)}:${lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    let who;
    for (let id = node.id; id !== undefined && !who; id = parent.get(id)) {
      const frame = nodes.get(id).callFrame;
      if (frame.url) scripts.add(frame.url);
      who = owner(frame.url);
    }
    if (!who) who = functionName.startsWith("(") ? functionName : "node";
    byOwner.set(who, (byOwner.get(who) ?? 0) + dt);
  }
  const known = ROLES.find(([script]) => [...scripts].some((u) => u.includes(script)));
  const role = known
    ? known[1]
    : /\.0\.\d+\.cpuprofile$/.test(file) || /\.\d+\.0\.\d+\.cpuprofile$/.test(file)
      ? "main"
      : "worker";
  return { role, total, self, byOwner };
}

/**
 * Prints one thread's summary: sampled time, by owner, the `top` functions; each figure as ms,
 * % of the `windowMs` window and ms per frame of `frames`.
 */
export function printProfile(name, summary, windowMs, frames, top = 18) {
  const fmt = (ms) =>
    `${ms.toFixed(0).padStart(6)} ms ${((100 * ms) / windowMs).toFixed(1).padStart(5)} % ${(ms / frames).toFixed(3)} ms/frame`;
  console.log(`\n${summary.role} (${name}): sampled ${fmt(summary.total)}`);
  console.log("  by owner (Node's own code charged to its caller):");
  for (const [who, ms] of [...summary.byOwner].sort((a, b) => b[1] - a[1]))
    console.log(`    ${who.padEnd(24)}${fmt(ms)}`);
  console.log("  top self time:");
  for (const [key, ms] of [...summary.self].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`    ${fmt(ms)}  ${key}`);
}
