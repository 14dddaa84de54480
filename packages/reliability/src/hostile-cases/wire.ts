/** Request lines, upgrades and headers. */

import { request } from "../raw-http.js";
import { type Case, type CaseTarget, host, line, raw } from "./common.js";

export function wireCases(t: CaseTarget): Case[] {
  const list: Case[] = [];
  const push = (...c: Case[]) => list.push(...c);
  // Request lines.
  for (const target of ["http://[::1/", "http://[", "http://", "//[::1/", "http://[::1/sessions", "http://a b/"]) {
    push(raw(t, "request line", `GET ${target}`, "4xx", () => line(t, `GET ${target} HTTP/1.1`)));
  }
  push(
    raw(t, "request line", "OPTIONS http://[::1/", "4xx", () =>
      line(t, "OPTIONS http://[::1/ HTTP/1.1", { Origin: "http://127.0.0.1:1" }),
    ),
  );
  push(
    raw(t, "request line", "POST http://[::1/sessions", "4xx", () =>
      request("POST", "http://[::1/sessions", host(t), "{}"),
    ),
  );
  for (const target of ["%", "/%zz", "/sessions/%E0%A4%A", "/sessions/%00", "*"]) {
    push(raw(t, "request line", `GET ${target}`, "4xx", () => line(t, `GET ${target} HTTP/1.1`)));
  }
  push(raw(t, "request line", "OPTIONS *", "no-5xx", () => line(t, "OPTIONS * HTTP/1.1")));
  push(raw(t, "request line", "20 000-character target", "4xx", () => line(t, `GET /${"a".repeat(20_000)} HTTP/1.1`)));
  for (const bad of [
    "GET / HTTP/9.9",
    "GET / HTTP/1.1 extra",
    "GET  / HTTP/1.1",
    "FOO / HTTP/1.1",
    "GET /\u0000 HTTP/1.1",
    "GET / HTTP/1.1\rX: y",
  ]) {
    push(raw(t, "request line", JSON.stringify(bad), "4xx", () => line(t, bad), true));
  }
  push(raw(t, "request line", "only CRLFs", "no-5xx", () => "\r\n\r\n\r\n", true));
  push(
    raw(
      t,
      "request line",
      "TLS ClientHello on the plain port",
      "4xx",
      () => Buffer.from("16030100a5010000a10303", "hex"),
      true,
    ),
  );
  push(
    raw(
      t,
      "request line",
      "random bytes",
      "4xx",
      () => Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256)),
      true,
    ),
  );
  push(raw(t, "request line", "HTTP/1.0 without Host", "2xx", () => "GET /health HTTP/1.0\r\n\r\n"));
  push(
    raw(t, "request line", "HTTP/1.1 without Host", "4xx", () => "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"),
  );

  // Upgrades.
  const ws = {
    Connection: "Upgrade",
    Upgrade: "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
  push(
    raw(t, "upgrade", "GPU link without a secret", "4xx", () => request("GET", "/_testkit/gpu", { ...host(t), ...ws })),
  );
  push(
    raw(t, "upgrade", "GPU link with a wrong secret", "4xx", () =>
      request("GET", "/_testkit/gpu", { ...host(t), ...ws, Authorization: "Bearer nope" }),
    ),
  );
  push(
    raw(t, "upgrade", "GPU link from a browser Origin", "4xx", () =>
      request("GET", "/_testkit/gpu", {
        ...host(t),
        ...ws,
        Authorization: `Bearer ${t.gpuSecret}`,
        Origin: "http://127.0.0.1:3000",
      }),
    ),
  );
  push(
    raw(t, "upgrade", "websocket on a malformed target", "4xx", () =>
      request("GET", "http://[::1/", { ...host(t), ...ws }),
    ),
  );
  push(raw(t, "upgrade", "websocket on /health", "4xx", () => request("GET", "/health", { ...host(t), ...ws })));
  push(
    raw(t, "upgrade", "h2c upgrade", "4xx", () =>
      request("GET", "/health", {
        ...host(t),
        Connection: "Upgrade, HTTP2-Settings",
        Upgrade: "h2c",
        "HTTP2-Settings": "AAMAAABkAAQAAP__",
      }),
    ),
  );
  push(
    raw(t, "upgrade", "GPU link with a forged Host", "4xx", () =>
      request("GET", "/_testkit/gpu", { ...host(t), ...ws, Host: "evil.example" }),
    ),
  );

  // Headers.
  push(
    raw(t, "headers", "17 KiB header", "4xx", () =>
      request("GET", "/health", { ...host(t), "X-Big": "a".repeat(17 * 1024) }),
    ),
  );
  // Node keeps the first 2 000 headers (maxHeadersCount) and drops the rest: a plain answer.
  push(
    raw(t, "headers", "2 000 headers", "no-5xx", () =>
      request("GET", "/health", {
        ...host(t),
        ...Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`X-${i}`, "1"])),
      }),
    ),
  );
  push(
    raw(
      t,
      "headers",
      "conflicting Content-Length",
      "4xx",
      () => `POST /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}`,
      true,
    ),
  );
  push(
    raw(
      t,
      "headers",
      "Content-Length and Transfer-Encoding",
      "4xx",
      () => `POST /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}`,
      true,
    ),
  );
  push(
    raw(
      t,
      "headers",
      "Content-Length: abc",
      "4xx",
      () => `POST /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n{}`,
      true,
    ),
  );
  push(
    raw(
      t,
      "headers",
      "Content-Length: -1",
      "4xx",
      () => `POST /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n`,
      true,
    ),
  );
  push(
    raw(
      t,
      "headers",
      "bad chunk size",
      "4xx",
      () => `POST /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      true,
    ),
  );
  push(
    raw(
      t,
      "headers",
      "invalid header name",
      "4xx",
      () => `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: x\r\n\r\n`,
      true,
    ),
  );
  push(
    raw(
      t,
      "headers",
      "obsolete line folding",
      "4xx",
      () => `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n b\r\n\r\n`,
      true,
    ),
  );
  for (const hostName of [
    "evil.example",
    `evil.example:${0}`,
    "127.0.0.1.evil.example",
    "[::2]",
    "",
    "a".repeat(2000),
  ]) {
    push(
      raw(t, "headers", `Host: ${hostName.slice(0, 30)}`, "4xx", () =>
        request("GET", "/health", { Host: hostName, Connection: "close" }),
      ),
    );
  }
  for (const origin of ["http://evil.example", "null", "file://", "http://127.0.0.1.evil.example", "x".repeat(5000)]) {
    push(
      raw(t, "headers", `Origin: ${origin.slice(0, 30)}`, "4xx", () =>
        request("POST", "/start_session", { ...host(t), Origin: origin, "Content-Type": "text/plain" }, "{}"),
      ),
    );
  }
  push(
    raw(t, "headers", "cross-origin simple POST /stop_session from loopback", "4xx", () =>
      request(
        "POST",
        "/stop_session",
        { ...host(t), Origin: "http://localhost:5173", "Content-Type": "text/plain" },
        "{}",
      ),
    ),
  );
  // The protocol answers a version it does not speak with 426 (older) or 501 (newer).
  for (const [name, value] of [
    ["Reactor-API-Version: garbage", { "Reactor-API-Version": "garbage", "Reactor-API-Accept-Version": "1" }],
    ["Reactor-API-Version: 999", { "Reactor-API-Version": "999", "Reactor-API-Accept-Version": "999" }],
    ["Reactor-API-Version: 10 KiB", { "Reactor-API-Version": "9".repeat(10_000), "Reactor-API-Accept-Version": "1" }],
  ] as const) {
    push(
      raw(t, "headers", name, [426, 501], () =>
        request("GET", `/sessions/${t.sessionId}`, { ...host(t), Authorization: `Bearer ${t.jwt}`, ...value }),
      ),
    );
  }

  return list;
}
