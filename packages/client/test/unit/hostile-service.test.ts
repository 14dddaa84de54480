/**
 * The client against a hostile (or broken) service, issue 15 items 8-11: every case runs
 * against real `node:http` servers on port 0 and fails on the code before the fix.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiKeyJwtSource, fetchJwtToken, JWT_FUNCTION_TIMEOUT_MS, jwtSourceFrom } from "../../src/auth/jwt-source.js";
import { Coordinator } from "../../src/http/coordinator.js";
import { Reactor } from "../../src/reactor.js";
import { waitForSessionReady } from "../../src/session/wait-ready.js";
import { sendJson, serve, type TestServer } from "./http-server.js";

const servers: TestServer[] = [];
async function server(handler: Parameters<typeof serve>[0]): Promise<TestServer> {
  const s = await serve(handler);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Resolves with how `promise` settled, or "pending" if it has not within `ms` (so old code fails, not hangs). */
async function settleWithin(
  promise: Promise<unknown>,
  ms: number,
): Promise<{ value?: unknown; error?: unknown } | "pending"> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const SESSION = {
  session_id: "s1",
  state: "WAITING",
  cluster: "c",
  model: { name: "echo" },
  server_info: { server_version: "1" },
};

describe("item 8: redirects never carry credentials to another origin", () => {
  it("POST /tokens redirected to another origin: refused (REDIRECT_REFUSED), the API key never leaves", async () => {
    const elsewhere = await server((_req, res) => sendJson(res, 200, { jwt: "attacker-token" }));
    const coordinator = await server((_req, res) => {
      res.writeHead(307, { Location: `${elsewhere.url}/tokens` });
      res.end();
    });
    const error = await fetchJwtToken("rk_secret", coordinator.url).catch((e) => e);
    expect(error).toMatchObject({ code: "REDIRECT_REFUSED", recoverable: false, operation: "token" });
    expect(error.message).toContain(new URL(elsewhere.url).origin);
    expect(elsewhere.requests).toEqual([]);
    expect(coordinator.requests).toHaveLength(1);
  });

  it("a Bearer request redirected to another origin is refused too; same-origin redirects are followed", async () => {
    const elsewhere = await server((_req, res) => sendJson(res, 200, { ice_servers: [] }));
    const coordinator = await server((req, res) => {
      if (req.url === "/tokens") {
        res.writeHead(308, { Location: "/v2/tokens" }); // same origin: repeated as a POST with its body
        res.end();
        return;
      }
      if (req.url === "/v2/tokens") return sendJson(res, 200, { jwt: `same-origin-${req.method}` });
      res.writeHead(302, { Location: `${elsewhere.url}${req.url}` });
      res.end();
    });
    expect(await fetchJwtToken("rk_secret", coordinator.url)).toBe("same-origin-POST");
    expect(coordinator.requests.map((r) => [r.method, r.url])).toEqual([
      ["POST", "/tokens"],
      ["POST", "/v2/tokens"],
    ]);
    expect(coordinator.requests[1]?.headers["reactor-api-key"]).toBe("rk_secret");

    const client = new Coordinator({ baseUrl: coordinator.url, local: false, jwt: jwtSourceFrom("secret-jwt") });
    await expect(client.getIceServers("s1")).rejects.toMatchObject({ code: "REDIRECT_REFUSED" });
    expect(elsewhere.requests).toEqual([]);
  });
});

describe("item 9: a jwt function that never settles", () => {
  it("connect({signal}) still aborts and disconnect() returns", async () => {
    const coordinator = await server((_req, res) => sendJson(res, 201, SESSION));
    const reactor = new Reactor({
      modelName: "echo",
      apiUrl: coordinator.url,
      jwt: () => new Promise<string>(() => {}),
    });
    const controller = new AbortController();
    const connecting = reactor.connect({ signal: controller.signal });
    setTimeout(() => controller.abort("user gave up"), 50);
    const outcome = await settleWithin(connecting, 3_000);
    expect(outcome).not.toBe("pending");
    expect((outcome as { error: unknown }).error).toMatchObject({ code: "ABORTED", operation: "connect" });

    const again = reactor.connect();
    again.catch(() => {});
    expect(await settleWithin(reactor.disconnect(), 3_000)).toEqual({ value: undefined });
    expect(await settleWithin(again, 1_000)).toMatchObject({ error: { code: "ABORTED" } });
    expect(coordinator.requests).toEqual([]);
  });

  it("a jwt function that never settles fails the request with TIMEOUT after JWT_FUNCTION_TIMEOUT_MS", async () => {
    vi.useFakeTimers();
    try {
      const resolving = jwtSourceFrom(() => new Promise<string>(() => {})).resolve();
      const seen = resolving.catch((e) => e);
      await vi.advanceTimersByTimeAsync(JWT_FUNCTION_TIMEOUT_MS);
      expect(await seen).toMatchObject({ code: "TIMEOUT" });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("item 10: Retry-After is clamped and connect() has a deadline", () => {
  it("a Retry-After past Node's timer range (>= 24.8 days) does not turn into a 1 ms retry storm", async () => {
    const coordinator = await server((_req, res) =>
      sendJson(res, 503, { detail: "busy" }, { "Retry-After": "2147484" }),
    );
    const client = new Coordinator({ baseUrl: coordinator.url, local: false, jwt: jwtSourceFrom("t") });
    const controller = new AbortController();
    const waiting = waitForSessionReady(client, "s1", { signal: controller.signal });
    const outcome = settleWithin(waiting, 2_000);
    setTimeout(() => controller.abort("enough"), 500);
    expect(await outcome).toMatchObject({ error: { code: "ABORTED" } });
    expect(coordinator.requests).toHaveLength(1); // asleep on the clamped Retry-After, not polling
  });

  it("a day-long Retry-After cannot park connect(): the overall deadline ends it with TIMEOUT", async () => {
    const coordinator = await server((_req, res) =>
      sendJson(res, 429, { detail: "later" }, { "Retry-After": "86400" }),
    );
    const reactor = new Reactor({ modelName: "echo", apiUrl: coordinator.url, jwt: "t", connectTimeoutMs: 500 });
    const errors: unknown[] = [];
    reactor.on("error", (e) => errors.push(e));
    const outcome = await settleWithin(reactor.connect(), 5_000);
    expect(outcome).not.toBe("pending");
    const error = (outcome as { error: unknown }).error;
    expect(error).toMatchObject({ code: "TIMEOUT", operation: "connect" });
    expect(String(error)).toMatch(/did not finish within 500 ms/);
    expect(errors).toEqual([error]);
    expect(reactor.getStatus()).toBe("disconnected");
    expect(coordinator.requests).toHaveLength(1);
    await reactor.disconnect();
  });
});

describe("item 11: a token that is already expired or about to expire", () => {
  it.each([
    ["already past", -10],
    ["30 s away", 30],
  ])("%s: exchanged once for many requests, and the odd expiry is logged", async (_name, expiresInS) => {
    const coordinator = await server((req, res) => {
      if (req.url === "/tokens") return sendJson(res, 200, { jwt: "j", expires_at: Date.now() / 1000 + expiresInS });
      sendJson(res, 200, { ice_servers: [] });
    });
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_o: object, msg?: string) => warnings.push(msg ?? "") };
    const client = new Coordinator({
      baseUrl: coordinator.url,
      local: false,
      jwt: apiKeyJwtSource("rk_good", coordinator.url, { logger }),
    });
    for (let i = 0; i < 10; i++) await client.getIceServers("s1");
    expect(coordinator.requests.filter((r) => r.url === "/tokens")).toHaveLength(1);
    expect(coordinator.requests.filter((r) => r.headers.authorization === "Bearer j")).toHaveLength(10);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/expired or about to expire/);
  });
});
