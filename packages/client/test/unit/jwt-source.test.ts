/** Token exchange and JWT sources, against a real server. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyJwtSource, fetchJwtToken, jwtSourceFrom, tokenRefreshAt } from "../../src/auth/jwt-source.js";
import { Coordinator } from "../../src/http/coordinator.js";
import { sendJson, serve, type TestServer } from "./http-server.js";

let server: TestServer;
let issued = 0;
beforeAll(async () => {
  server = await serve((req, res) => {
    if (req.url === "/tokens") {
      const key = req.headers["reactor-api-key"];
      if (key === "rk_good")
        return sendJson(res, 200, { jwt: `jwt-${++issued}`, expires_at: Date.now() / 1000 + 3600 });
      if (key === "rk_nojwt") return sendJson(res, 200, { token: "x" });
      return sendJson(res, 401, { detail: "bad key" });
    }
    sendJson(res, 200, { ice_servers: [] });
  });
});
afterAll(async () => {
  await server?.close();
});

describe("fetchJwtToken", () => {
  it("POSTs the key with version headers and returns the jwt", async () => {
    const jwt = await fetchJwtToken("rk_good", server.url);
    expect(jwt).toMatch(/^jwt-/);
    const req = server.requests.at(-1)!;
    expect(req.method).toBe("POST");
    expect(req.headers["reactor-api-version"]).toBe("1");
    expect(req.headers.authorization).toBeUndefined();
  });

  it("rejects with a typed error naming the status", async () => {
    const error = await fetchJwtToken("rk_bad", server.url).catch((e) => e);
    expect(error).toMatchObject({ code: "UNAUTHORIZED", recoverable: false, operation: "token" });
    expect(error.message).toContain("401");
  });

  it("a 200 without a string jwt is an auth failure", async () => {
    await expect(fetchJwtToken("rk_nojwt", server.url)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("JWT sources", () => {
  it("an API-key source exchanges once and reuses the token until shortly before expiry", async () => {
    const source = apiKeyJwtSource("rk_good", server.url);
    const [a, b] = await Promise.all([source.resolve(), source.resolve()]);
    expect(a).toBe(b);
    expect(await source.resolve()).toBe(a);
  });

  it.each([
    ["no expiry", undefined, 5 * 60_000, false],
    ["an hour ahead", 3_600_000, 3_600_000 - 60_000, false],
    ["two minutes ahead", 120_000, 60_000, false],
    ["under the margin", 30_000, 60_000, true],
    ["already past", -10_000, 60_000, true],
  ])("tokenRefreshAt: %s", (_name, expiresInMs, refreshInMs, tooShort) => {
    const now = 1_000_000;
    const expires = expiresInMs === undefined ? undefined : now + expiresInMs;
    expect(tokenRefreshAt(expires, now)).toEqual({ atMs: now + refreshInMs, tooShort });
  });

  it("a function source is called before every request; an empty string sends no Authorization", async () => {
    let calls = 0;
    const coordinator = new Coordinator({
      baseUrl: server.url,
      local: false,
      jwt: jwtSourceFrom(() => (++calls === 1 ? "" : `token-${calls}`)),
    });
    await coordinator.getIceServers("s");
    expect(server.requests.at(-1)?.headers.authorization).toBeUndefined();
    await coordinator.getIceServers("s");
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer token-2");
    expect(server.requests.at(-1)?.headers["reactor-webrtc-version"]).toBe("1.0");
    expect(calls).toBe(2);
  });

  it("a throwing jwt function is a non-recoverable UNAUTHORIZED", async () => {
    const source = jwtSourceFrom(() => {
      throw new Error("vault down");
    });
    await expect(source.resolve()).rejects.toMatchObject({ code: "UNAUTHORIZED", recoverable: false });
  });
});
