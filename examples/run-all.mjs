// Runs the demo and every example as a child process (as a user would) and checks what each
// prints. Ends with "N passed, M failed".
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const snapshot = `${here}out/run-all-snapshot.png`;

/** Each entry: the file, then patterns its output must match. */
const cases = [
  [
    "demo.mjs",
    [
      /status\s+ready/,
      /progress\s+\d+(\.\d+)? fps\s+latency p50 [\d.]+ ms\s+frames \d+\s+drops \d+/,
      /reply\s+effect_changed \{.*"effect":"invert"/,
      /snapshot\s+\S+\.png/,
      /publish\s+webcam: pushed \d+, sent [1-9]\d* \(\w+\), [1-9]\d* frames of it read back on main_video/,
      /summary\s+\d+ frames/,
    ],
    { REACTOR_DEMO_SECONDS: "3", REACTOR_DEMO_SNAPSHOT: snapshot },
  ],
  ["01-connect-and-receive.mjs", [/status: ready/, /received [1-9]\d* frames; last \d+x\d+, \d+ RGB bytes/]],
  [
    "02-upload-image.mjs",
    [
      /uploaded \d+\/\d+ bytes/,
      /upload \S+: orange\.png, image\/png, \d+ bytes/,
      /model replied: \{"type":"overlay_changed"/,
    ],
  ],
  [
    "03-pause-and-resume.mjs",
    [/playing: [1-9]\d* frames/, /paused: 0 frames in 1\.5 s/, /resumed: [1-9]\d* frames since the pause/],
  ],
  [
    "04-publish-track.mjs",
    [
      /published webcam \(state published\)/,
      /pushed \d+ frames, encoded [1-9]\d* \([1-9]\d* keyframes\), sent [1-9]\d*/,
      /read back [1-9]\d* frames of the pattern on main_video, in order: true/,
      /unpublished \(state unpublished\)/,
    ],
  ],
  [
    "05-multi-connection.mjs",
    [
      /owner created session \S+/,
      /viewer adopted session \S+/,
      /owner received [1-9]\d* frames, viewer received [1-9]\d* frames/,
      /after the viewer left, the owner is ready/,
    ],
  ],
  [
    "06-record-clip.mjs",
    [
      /clip snap: \d+\.\d{3} s → \d+\.\d{3} s/,
      /saved \S+reactor-clip\.mp4: [1-9]\d* bytes, [12]\.\d{2} s in \d+ segment\(s\)/,
      /saved \S+reactor-recording\.mp4: [1-9]\d* bytes, \d+\.\d{2} s/,
    ],
  ],
  [
    "07-frame-metadata.mjs",
    [
      /received [1-9]\d* frames with metadata; last frame id [1-9]\d*, capture → here \d+\.\d ms/,
      /echoed user data came back on [1-9]\d* frames, e\.g\. "hello #\d+"/,
    ],
  ],
  [
    "08-parallel-processing.mjs",
    [/frame \d+: mean RGB \{"r":\d+,"g":\d+,"b":\d+\}/, /processed 60 frames on 2 worker threads, in order: true/],
  ],
  [
    "09-receive-audio.mjs",
    [
      /heard [1-9]\d* frames: \d\.\d{2} s at 16000 Hz, 1 channel\(s\)/,
      /tone: 4[34]\d\.\d Hz, then 8[78]\d\.\d Hz/,
      /wrote \S+reactor-audio\.wav/,
    ],
  ],
];

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const [file, patterns, env = {}] of cases) {
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue;
  if (!existsSync(`${here}${file}`)) {
    console.log(`SKIP ${file} (not present)`);
    continue;
  }
  const started = performance.now();
  const { code, output } = await run(file, env);
  const missing = patterns.filter((p) => !p.test(output));
  const ms = (performance.now() - started).toFixed(0);
  if (code === 0 && missing.length === 0) {
    passed++;
    console.log(`PASS ${file} (${ms} ms)`);
  } else {
    failed++;
    console.log(`FAIL ${file} (exit ${code}, ${ms} ms)${missing.map((p) => `\n  missing ${p}`).join("")}`);
    console.log(output.replace(/^/gm, "  | "));
  }
}
if (existsSync(snapshot)) rmSync(snapshot);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

function run(file, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      cwd: here,
      env: { ...process.env, REACTOR_API_KEY: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
