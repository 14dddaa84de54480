/** The HTTP boundary: validation, size bound, timeout, abort and status → typed error, against a real server. */
import { ConflictError, SessionResponseSchema, VersionMismatchError } from "@reactor-node/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchJson, type HttpRequest } from "../../src/http/fetch-json.js";
import { sendJson, serve, type TestServer } from "./http-server.js";

let server: TestServer;
const SESSION = {
  session_id: "s1",
  state: "CREATED",
  cluster: "c",
  model: { name: "echo" },
  server_info: { server_version: "1" },
  extra_field: true,
};

beforeAll(async () => {
  server = await serve(async (req, res) => {
    const path = req.url;
    if (path === "/ok") return sendJson(res, 200, SESSION);
    if (path === "/not-json") return sendJson(res, 200, "<html>oops");
    if (path === "/wrong-shape") return sendJson(res, 200, { session_id: "s1", state: "CREATED" });
    if (path === "/huge") return sendJson(res, 200, { pad: "x".repeat(10_000) });
    if (path === "/huge-chunked") {
      res.writeHead(200, { "Content-Type": "application/json" });
      for (let i = 0; i < 20; i++) res.write("x".repeat(1000));
      return void res.end();
    }
    if (path === "/slow") return void setTimeout(() => sendJson(res, 200, SESSION), 2000);
    if (path?.startsWith("/status/")) {
      const status = Number(path.split("/")[2]);
      return sendJson(
        res,
        status,
        { detail: `status ${status}` },
        status === 429 || status === 503 ? { "Retry-After": "3" } : {},
      );
    }
    if (path === "/empty") {
      res.writeHead(202);
      return void res.end();
    }
    sendJson(res, 404, { detail: "no route" });
  });
});
afterAll(async () => {
  await server?.close();
});

function get(path: string, extra: Partial<HttpRequest> = {}) {
  return fetchJson({
    method: "GET",
    url: `${server.url}${path}`,
    headers: {},
    expect: { 200: SessionResponseSchema, 202: null },
    request: `GET ${path}`,
    ...extra,
  });
}

describe("fetchJson", () => {
  it("parses leniently (unknown fields ignored) and returns the status", async () => {
    const r = await get("/ok");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ session_id: "s1" });
    expect(r.body).not.toHaveProperty("extra_field");
    expect((await get("/empty")).body).toBeUndefined();
  });

  it("malformed JSON or a wrong shape is INVALID_RESPONSE, never a crash", async () => {
    await expect(get("/not-json")).rejects.toMatchObject({ code: "INVALID_RESPONSE", recoverable: true });
    await expect(get("/wrong-shape")).rejects.toMatchObject({ code: "INVALID_RESPONSE" });
  });

  it("bounds the response size (declared and streamed)", async () => {
    await expect(get("/huge", { maxResponseBytes: 1000 })).rejects.toMatchObject({ code: "INVALID_RESPONSE" });
    await expect(get("/huge-chunked", { maxResponseBytes: 1000 })).rejects.toMatchObject({ code: "INVALID_RESPONSE" });
  });

  it.each([
    [401, "UNAUTHORIZED", false],
    [403, "UNAUTHORIZED", false],
    [404, "NOT_FOUND", false],
    [400, "BAD_REQUEST", false],
    [429, "RATE_LIMITED", true],
    [500, "SERVER_ERROR", true],
    [503, "SERVER_ERROR", true],
  ])("HTTP %i → %s (recoverable %s)", async (status, code, recoverable) => {
    const error = await get(`/status/${status}`).catch((e) => e);
    expect(error).toMatchObject({ code, recoverable });
    expect(error.message).toContain(String(status));
    expect(error.message).toContain(`status ${status}`); // the server's detail
    if (status === 429 || status === 503) expect(error.retryAfter).toBe(3);
  });

  it("409 is a ConflictError, 426/501 a VersionMismatchError naming who must upgrade", async () => {
    await expect(get("/status/409")).rejects.toBeInstanceOf(ConflictError);
    const tooOld = await get("/status/426").catch((e) => e);
    expect(tooOld).toBeInstanceOf(VersionMismatchError);
    expect(tooOld.mustUpgrade).toBe("client");
    const serverOld = await get("/status/501").catch((e) => e);
    expect(serverOld.mustUpgrade).toBe("server");
  });

  it("times out per request (TIMEOUT) and aborts on the caller's signal (ABORTED, cause = reason)", async () => {
    await expect(get("/slow", { timeoutMs: 100 })).rejects.toMatchObject({ code: "TIMEOUT", recoverable: true });
    const controller = new AbortController();
    const pending = get("/slow", { signal: controller.signal });
    setTimeout(() => controller.abort("bye"), 50);
    await expect(pending).rejects.toMatchObject({ code: "ABORTED", cause: "bye" });
  });

  it("a refused connection is a recoverable NETWORK_ERROR", async () => {
    const dead = await serve(() => {});
    const url = dead.url;
    await dead.close();
    await expect(
      fetchJson({ method: "GET", url: `${url}/x`, headers: {}, expect: { 200: null }, request: "GET /x" }),
    ).rejects.toMatchObject({ code: "NETWORK_ERROR", recoverable: true });
  });
});
