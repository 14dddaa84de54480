import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = new URL("../bin/reactor.js", import.meta.url).pathname;

/** Runs the real `reactor` binary in a child process, as a user would. */
function reactor(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const oneLine = (text: string) => text.trim().split("\n").length === 1;

describe("reactor CLI: usage errors", () => {
  it.each([
    [[], /usage:/, 2],
    [["frobnicate"], /unknown command 'frobnicate'/, 2],
    [["connect", "--bogus"], /Unknown option '--bogus'/, 2],
    [["connect", "--model"], /--model/, 2],
    [
      ["connect", "--model", "echo", "--seconds", "soon", "--api-key", "rk_x"],
      /--seconds must be a positive number/,
      2,
    ],
    [["connect", "--model", "echo", "--command", "set_effect={oops", "--api-key", "rk_x"], /arguments are not JSON/, 2],
    [["connect", "--api-key", "rk_x"], /no model/, 2],
    [["token"], /no API key: set REACTOR_API_KEY/, 3],
    [["connect", "--model", "echo"], /no API key/, 3],
    [["clip", "--model", "echo", "--out", "x.mp4", "--api-key", "rk_x"], /--seconds N is required/, 2],
    [
      ["clip", "--model", "echo", "--seconds", "0", "--out", "x.mp4", "--api-key", "rk_x"],
      /--seconds must be a positive number/,
      2,
    ],
    [["clip", "--model", "echo", "--seconds", "2", "--api-key", "rk_x"], /--out FILE is required/, 2],
  ])("reactor %j → %s, exit %i", async (args, pattern, code) => {
    const result = await reactor(args as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(pattern);
    if (args.length > 0) expect(oneLine(result.stderr), result.stderr).toBe(true);
    expect(result.stdout).toBe("");
  });
});

describe("reactor CLI against the testkit", () => {
  let mock: Awaited<ReturnType<typeof startMockReactor>>;
  let dir: string;
  beforeAll(async () => {
    mock = await startMockReactor();
    dir = mkdtempSync(join(tmpdir(), "reactor-cli-"));
  });
  afterAll(async () => {
    await mock?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("token: prints a JWT for a valid key", async () => {
    const result = await reactor(["token", "--api-url", mock.url], { REACTOR_API_KEY: mock.apiKey });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("token: an invalid key is one line naming the status, exit 3", async () => {
    const result = await reactor(["token", "--api-url", mock.url, "--api-key", "rk_not_a_real_key"]);
    expect(result.code).toBe(3);
    expect(oneLine(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(/401/);
  });

  it("connect: receives frames, sends a command, writes a snapshot (--json)", async () => {
    const snapshot = join(dir, "snap.png");
    const result = await reactor(
      [
        "connect",
        "--model",
        "echo",
        "--seconds",
        "4", // room for the first decoded frame on a loaded machine
        "--snapshot",
        snapshot,
        "--command",
        'set_effect={"effect":"invert"}',
        "--json",
      ],
      { REACTOR_API_KEY: mock.apiKey, REACTOR_API_URL: mock.url },
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe("ready");
    expect(summary.frames).toBeGreaterThan(0);
    expect(summary.width).toBeGreaterThan(0);
    expect(summary.replies).toEqual([
      { command: "set_effect", reply: { type: "effect_changed", data: expect.objectContaining({ effect: "invert" }) } },
    ]);
    expect(summary.snapshot).toBe(snapshot);
    expect(readFileSync(snapshot).subarray(1, 4).toString()).toBe("PNG");
  });

  it("connect --publish: pushes a generated picture and a tone into the model's input tracks", async () => {
    const result = await reactor(
      ["connect", "--model", "echo", "--seconds", "2", "--publish", "webcam", "--publish", "mic", "--json"],
      { REACTOR_API_KEY: mock.apiKey, REACTOR_API_URL: mock.url },
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    const [webcam, mic] = summary.published;
    expect(webcam).toMatchObject({ track: "webcam" });
    expect(webcam.sent).toBeGreaterThan(0);
    expect(mic).toMatchObject({ track: "mic" });
    expect(mic.sent).toBeGreaterThan(0);
    // The echo model received both.
    const received = mock.history.published.filter((r) => r.sessionId === summary.sessionId);
    expect(received.map((r) => r.track).sort()).toEqual(["mic", "webcam"]);
    expect(received.every((r) => r.frames > 0)).toBe(true);
  });

  it("connect: human output names the session and the frames", async () => {
    const result = await reactor(["connect", "--model", "echo", "--seconds", "1", "--api-url", mock.url], {
      REACTOR_API_KEY: mock.apiKey,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/status ready/);
    expect(result.stdout).toMatch(/received [1-9]\d* frames/);
    expect(existsSync(join(dir, "none.png"))).toBe(false);
  });

  it("clip: saves the last N seconds as an MP4 file", async () => {
    const out = join(dir, "clip.mp4");
    const result = await reactor(
      ["clip", "--model", "echo", "--seconds", "1", "--out", out, "--api-url", mock.url, "--json"],
      { REACTOR_API_KEY: mock.apiKey },
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ kind: "snap", path: out, segments: 1 });
    expect(summary.durationS).toBeCloseTo(1, 1);
    // An MP4 file: a box stream starting with ftyp.
    expect(readFileSync(out).subarray(4, 8).toString()).toBe("ftyp");
    expect(readFileSync(out).length).toBe(summary.bytes);
  });

  it("schema: prints the model's commands", async () => {
    const result = await reactor(["schema", "--model", "echo", "--api-url", mock.url, "--api-key", mock.apiKey]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/set_effect\(effect\?: string \(one of none\|grayscale/);
    expect(result.stdout).toMatch(/set_overlay_image\(overlay_image: upload/);
    expect(result.stdout).toMatch(/messages: .*\beffect_changed\b/);
  });
});

describe("reactor CLI: service failures", () => {
  it("version mismatch: one line, exit 4", async () => {
    await using mock = await startMockReactor({
      faults: [{ name: "http-status", status: 426, route: "POST /sessions" }],
    });
    const result = await reactor(["connect", "--model", "echo", "--api-url", mock.url, "--api-key", mock.apiKey]);
    expect(result.code).toBe(4);
    expect(oneLine(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(/version mismatch/i);
  });

  it("a 401 during connect: the error's own code reaches the exit code (3), one line", async () => {
    await using mock = await startMockReactor({
      faults: [{ name: "http-status", status: 401, route: "POST /sessions" }],
    });
    const result = await reactor(["connect", "--model", "echo", "--api-url", mock.url, "--api-key", mock.apiKey]);
    expect(result.code).toBe(3);
    expect(oneLine(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(/\[api:UNAUTHORIZED\] POST \/sessions: HTTP 401/);
  });

  it("no GPU: one line, exit 5", async () => {
    await using mock = await startMockReactor({ faults: [{ name: "never-ready" }] });
    const result = await reactor([
      "connect",
      "--model",
      "echo",
      "--timeout",
      "2",
      "--api-url",
      mock.url,
      "--api-key",
      mock.apiKey,
    ]);
    expect(result.code).toBe(5);
    expect(oneLine(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(/no GPU became ready for model 'echo' within 2 s \(last status: waiting\)/);
  });
});
