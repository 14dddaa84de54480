import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type MockReactor, startMockReactor } from "../src/mock.js";
import { listScenarios, loadScenario } from "../src/scenarios.js";
import { createSession, deleteSession, token, waitReady } from "./helpers/http.js";
import { TestPeer } from "./helpers/peer.js";

// The CLI runs from dist/ (build first).
const BIN = fileURLToPath(new URL("../bin/reactor-testkit.js", import.meta.url));

function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
}

async function firstLine(child: ChildProcess): Promise<string> {
  let out = "";
  for await (const chunk of child.stdout!) {
    out += String(chunk);
    if (out.includes("\n")) return out.split("\n")[0]!;
  }
  return out;
}

describe("CLI and the GPU link across processes", () => {
  const children: ChildProcess[] = [];
  let mock: MockReactor | undefined;
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null) {
        c.kill("SIGTERM");
        await once(c, "exit");
      }
    }
    await mock?.close();
    mock = undefined;
  });

  it("every scenario file parses", () => {
    const names = listScenarios();
    expect(names).toEqual(expect.arrayContaining(["slow-queue", "flaky-gpu"]));
    for (const name of names) expect(loadScenario(name).description.length).toBeGreaterThan(0);
  });

  it("serve --json prints one JSON line; SIGTERM exits cleanly", async () => {
    const child = run(["serve", "--port", "0", "--json", "--gpus", "0", "--scenario", "slow-queue"]);
    children.push(child);
    const line = await firstLine(child);
    const info = JSON.parse(line);
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.apiKey).toMatch(/^rk_/);
    const res = await fetch(`${info.url}/tokens`, { method: "POST", headers: { "Reactor-API-Key": info.apiKey } });
    expect(res.status).toBe(200);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("bad flags: one line on stderr, exit 2", async () => {
    for (const args of [
      ["serve", "--size", "big"],
      ["serve", "--nope"],
      ["gpu"],
      ["frobnicate"],
      ["serve", "--scenario", "nope"],
    ]) {
      const child = run(args);
      let err = "";
      child.stderr!.on("data", (c) => {
        err += String(c);
      });
      const [code] = await once(child, "exit");
      expect(code, args.join(" ")).toBe(2);
      expect(err.trim().split("\n")).toHaveLength(1);
    }
  });

  it("a GPU peer in a separate process serves a session over the ws link", async () => {
    mock = await startMockReactor({ gpus: 0, video: { width: 320, height: 180 } });
    const child = run(["gpu", "--coordinator", mock.gpuLinkUrl, "--size", "320x180", "--name", "remote"], {
      REACTOR_TESTKIT_GPU_SECRET: mock.gpuSecret,
    });
    children.push(child);
    await mock.waitForGpus(1);
    expect(mock.gpus[0]?.name).toBe("remote");
    const jwt = await token(mock);
    const created = await createSession(mock, jwt);
    const { session } = await waitReady(mock, jwt, created.session_id);
    const peer = await TestPeer.connect(mock, jwt, session, { decode: true });
    try {
      peer.command("set_effect", { effect: "blur" });
      await peer.until(() => peer.message("application", "effect_changed"), "reply from the remote GPU");
      await peer.until(() => peer.video.numbers.length >= 5, "frames from the remote GPU", 20_000);
      expect(peer.video.sizes[0]).toBe("320x180");
      expect(mock.history.dataChannel.some((d) => d.direction === "out" && d.sessionId === session.session_id)).toBe(
        true,
      );
    } finally {
      await peer.close();
      await deleteSession(mock, jwt, session.session_id);
    }
    // The GPU process exits when its coordinator goes away.
    await mock.close();
    mock = undefined;
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });
});
