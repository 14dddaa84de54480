// The publishing benchmarks' testkit: `reactor-testkit serve` in a child process, so the CPU
// figures of the benchmarking process are the client's alone.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";

/** Starts the testkit serving `size` (its own stream's size, e.g. "320x240"); resolves with its url, key and close(). */
export async function startTestkit(size) {
  const bin = createRequire(import.meta.url)
    .resolve("@reactor-node/testkit/package.json")
    .replace(/package\.json$/, "bin/reactor-testkit.js");
  const child = spawn(process.execPath, [bin, "serve", "--port", "0", "--json", "--size", size], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = await once(child.stdout, "data");
  const { url, apiKey } = JSON.parse(String(line).split("\n")[0]);
  return {
    url,
    apiKey,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
