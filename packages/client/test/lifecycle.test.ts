/**
 * Resources and process lifetime: after disconnect() nothing of the client is left running
 * (sockets, timers, workers, peers), checked in a child process that must exit on its own, and
 * disconnect() during connect() aborts everything in flight.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reactor } from "../src/index.js";
import { nextEvent, record } from "./helpers.js";

let mock: MockReactor;
beforeAll(async () => {
  mock = await startMockReactor({ video: { width: 160, height: 120, fps: 30 } });
});
afterAll(async () => {
  await mock?.close();
});

const fixture = fileURLToPath(new URL("./fixtures/exit-after-disconnect.mjs", import.meta.url));

describe("lifecycle", () => {
  it("after disconnect() the process holds nothing of the client and exits on its own", async () => {
    const child = spawn(process.execPath, [fixture, mock.url, mock.apiKey], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    // A child that does not exit on its own is killed here and the test fails on its exit signal.
    const killer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on("exit", (c, s) => resolve([c, s])),
    );
    clearTimeout(killer);
    expect(stderr).toBe("");
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const result = JSON.parse(stdout.trim());
    expect(result.frames).toBeGreaterThanOrEqual(2);
    expect(result.afterReady).toEqual(result.baseline);
    expect(result.connectOutcome).toBe("ABORTED");
    expect(result.status).toBe("disconnected");
    expect(result.afterAbort).toEqual(result.baseline);
  });

  it("disconnect() while waiting for a GPU aborts connect() and ends the created session", async () => {
    mock.history.clear();
    const reactor = new Reactor({
      modelName: "echo",
      apiKey: mock.apiKey,
      apiUrl: mock.url,
      extraArgs: { testkit: { fault: "never-ready" } },
    });
    const rec = record(reactor);
    const connecting = reactor.connect().then(
      () => undefined,
      (error) => error,
    );
    await nextEvent(reactor, "status_changed", (s) => s === "waiting");
    await reactor.disconnect();
    const error = await connecting;
    expect(error?.code).toBe("ABORTED");
    expect(rec.statuses).toEqual(["connecting", "waiting", "disconnected"]);
    expect(rec.errors).toEqual([]);
    const sessionId = rec.of("session_id_changed")[0]?.[0];
    expect(mock.history.http.at(-1)).toMatchObject({ method: "DELETE", path: `/sessions/${sessionId}` });
    expect(rec.of("session_id_changed")).toEqual([[sessionId], [undefined]]);
  });

  it("concurrent connect() calls share one attempt; disconnect() is idempotent", async () => {
    mock.history.clear();
    const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    await Promise.all([reactor.connect(), reactor.connect()]);
    expect(mock.history.http.filter((c) => c.method === "POST" && c.path === "/sessions")).toHaveLength(1);
    await reactor.connect(); // already ready: no-op
    await Promise.all([reactor.disconnect(), reactor.disconnect()]);
    await reactor.disconnect();
    expect(mock.history.http.filter((c) => c.method === "DELETE")).toHaveLength(1);
    expect(reactor.getStatus()).toBe("disconnected");
  });

  it("a pre-aborted signal rejects at once without touching the network", async () => {
    mock.history.clear();
    const reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    await expect(reactor.connect({ signal: AbortSignal.abort("no") })).rejects.toMatchObject({
      code: "ABORTED",
      cause: "no",
    });
    expect(mock.history.http).toHaveLength(0);
    expect(reactor.getStatus()).toBe("disconnected");
  });
});
