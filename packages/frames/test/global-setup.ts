// Worker threads load the built entry files from dist/ (vitest does not transpile files started
// with `new Worker`), so make sure dist/ is not older than src/ before any test runs.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export default function setup(): void {
  const entries = [
    "dist/worker/decoder-worker.js",
    "dist/convert/convert-task.js",
    "dist/process/frame-task.js",
    "dist/encoder/encoder-worker.js",
  ].map((p) => join(root, p));
  const built = entries.every(existsSync) ? Math.min(...entries.map((p) => statSync(p).mtimeMs)) : 0;
  if (built >= newest(join(root, "src"))) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
}
