/**
 * `reactor-testkit serve` as a child process, the way other teams run it: the suite talks to it
 * over the network only, and a crash is seen as the process exiting.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The testkit CLI of this workspace; `RELIABILITY_TESTKIT_BIN` points the suite at another build. */
const BIN =
  process.env.RELIABILITY_TESTKIT_BIN ??
  fileURLToPath(new URL("../../testkit/bin/reactor-testkit.js", import.meta.url));

/** A running `reactor-testkit serve`. */
export interface Served {
  url: string;
  port: number;
  apiKey: string;
  gpuLinkUrl: string;
  gpuSecret: string;
  child: ChildProcess;
  /** Everything the child wrote on stderr so far. */
  stderr(): string;
  /** True while the process runs. */
  alive(): boolean;
  /** Resident memory (KiB) and open file descriptors of the child, from /proc (Linux). */
  procStats(): { rssKiB: number; fds: number } | undefined;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  close(): Promise<void>;
}

/** Starts `reactor-testkit serve --port 0 --json …extra` and resolves once it printed its line. */
export async function startServe(extra: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--json", ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => {
    err += String(d);
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += String(d);
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        child.stdout!.off("data", onData);
        resolve(out.slice(0, nl));
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`reactor-testkit serve exited ${code}: ${err}`)));
  });
  const info = JSON.parse(line) as { url: string; apiKey: string; gpuLinkUrl: string; gpuSecret: string };
  const pid = child.pid!;
  return {
    ...info,
    port: Number(new URL(info.url).port),
    child,
    stderr: () => err,
    alive: () => child.exitCode === null && child.signalCode === null,
    procStats() {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
        return { rssKiB, fds: readdirSync(`/proc/${pid}/fd`).length };
      } catch {
        return undefined;
      }
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
