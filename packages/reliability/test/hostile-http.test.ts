/**
 * Hostile requests against `reactor-testkit serve` in its own process, over raw sockets:
 * malformed request lines, headers, bodies, JWTs, fault headers, upgrades, deep nesting and
 * floods. After every case the server must still answer `GET /health` (else: a hang) and still
 * run (else: a crash). Cases, clean 4xx answers, crashes and hangs are counted and printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budget, LONG } from "../src/budget.js";
import { type RawAnswer, rawExchange, request } from "../src/raw-http.js";
import { type Served, startServe } from "../src/serve.js";

/** What counts as a right answer: a 4xx, a 2xx, anything but a 5xx, or exactly these statuses. */
type Expectation = "4xx" | "2xx" | "no-5xx" | readonly number[];

interface Case {
  group: string;
  name: string;
  expect: Expectation;
  /** The server may close without answering (a request it cannot even parse to the end). */
  mayDrop?: boolean;
  run(): Promise<RawAnswer[]>;
}

interface Tally {
  cases: number;
  clean4xx: number;
  answered2xx: number;
  dropped: number;
  noAnswer: number;
  serverErrors: number;
  crashes: number;
  hangs: number;
  unexpected: string[];
}

let served: Served;
let jwt = "";
let sessionId = "";
const API = { "Reactor-API-Version": "1", "Reactor-API-Accept-Version": "1" };

beforeAll(async () => {
  // Two GPUs: one for the hosted session below, one free for the local-mode cases.
  served = await startServe(["--gpus", "2", "--size", "96x64", "--fps", "5"]);
  const token = await fetch(`${served.url}/tokens`, { method: "POST", headers: { "Reactor-API-Key": served.apiKey } });
  jwt = ((await token.json()) as { jwt: string }).jwt;
  const created = await fetch(`${served.url}/sessions`, {
    method: "POST",
    headers: { ...API, Authorization: `Bearer ${jwt}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      model: { name: "echo" },
      client_info: { sdk_version: "1", sdk_type: "reliability" },
      supported_transports: [{ protocol: "webrtc", version: "1.0" }],
    }),
  });
  sessionId = ((await created.json()) as { session_id: string }).session_id;
});
afterAll(async () => {
  await served?.close();
});

function host(): Record<string, string> {
  return { Host: `127.0.0.1:${served.port}`, Connection: "close" };
}

function auth(): Record<string, string> {
  return { ...host(), ...API, Authorization: `Bearer ${jwt}` };
}

function raw(
  group: string,
  name: string,
  expectation: Expectation,
  bytes: () => string | Buffer,
  mayDrop = false,
): Case {
  return { group, name, expect: expectation, mayDrop, run: async () => [await rawExchange(served.port, bytes())] };
}

function line(requestLine: string, headers: Record<string, string> = {}): Buffer {
  return Buffer.from(
    `${requestLine}\r\n${Object.entries({ ...host(), ...headers })
      .map(([k, v]) => `${k}: ${v}`)
      .join("\r\n")}\r\n\r\n`,
    "latin1",
  );
}

const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
// Deep values are spliced in as text: JSON.stringify itself cannot walk them.
const withExtraArgs = (extraArgs: string) =>
  `{"model":{"name":"echo"},"client_info":{"sdk_version":"1","sdk_type":"t"},"supported_transports":[{"protocol":"webrtc","version":"1.0"}],"extra_args":${extraArgs}}`;

function cases(): Case[] {
  const list: Case[] = [];
  const push = (...c: Case[]) => list.push(...c);

  // Request lines.
  for (const target of ["http://[::1/", "http://[", "http://", "//[::1/", "http://[::1/sessions", "http://a b/"]) {
    push(raw("request line", `GET ${target}`, "4xx", () => line(`GET ${target} HTTP/1.1`)));
  }
  push(
    raw("request line", "OPTIONS http://[::1/", "4xx", () =>
      line("OPTIONS http://[::1/ HTTP/1.1", { Origin: "http://127.0.0.1:1" }),
    ),
  );
  push(
    raw("request line", "POST http://[::1/sessions", "4xx", () =>
      request("POST", "http://[::1/sessions", host(), "{}"),
    ),
  );
  for (const target of ["%", "/%zz", "/sessions/%E0%A4%A", "/sessions/%00", "*"]) {
    push(raw("request line", `GET ${target}`, "4xx", () => line(`GET ${target} HTTP/1.1`)));
  }
  push(raw("request line", "OPTIONS *", "no-5xx", () => line("OPTIONS * HTTP/1.1")));
  push(raw("request line", "20 000-character target", "4xx", () => line(`GET /${"a".repeat(20_000)} HTTP/1.1`)));
  for (const bad of [
    "GET / HTTP/9.9",
    "GET / HTTP/1.1 extra",
    "GET  / HTTP/1.1",
    "FOO / HTTP/1.1",
    "GET /\u0000 HTTP/1.1",
    "GET / HTTP/1.1\rX: y",
  ]) {
    push(raw("request line", JSON.stringify(bad), "4xx", () => line(bad), true));
  }
  push(raw("request line", "only CRLFs", "no-5xx", () => "\r\n\r\n\r\n", true));
  push(
    raw(
      "request line",
      "TLS ClientHello on the plain port",
      "4xx",
      () => Buffer.from("16030100a5010000a10303", "hex"),
      true,
    ),
  );
  push(
    raw(
      "request line",
      "random bytes",
      "4xx",
      () => Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256)),
      true,
    ),
  );
  push(raw("request line", "HTTP/1.0 without Host", "2xx", () => "GET /health HTTP/1.0\r\n\r\n"));
  push(raw("request line", "HTTP/1.1 without Host", "4xx", () => "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"));

  // Upgrades.
  const ws = {
    Connection: "Upgrade",
    Upgrade: "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
  push(raw("upgrade", "GPU link without a secret", "4xx", () => request("GET", "/_testkit/gpu", { ...host(), ...ws })));
  push(
    raw("upgrade", "GPU link with a wrong secret", "4xx", () =>
      request("GET", "/_testkit/gpu", { ...host(), ...ws, Authorization: "Bearer nope" }),
    ),
  );
  push(
    raw("upgrade", "GPU link from a browser Origin", "4xx", () =>
      request("GET", "/_testkit/gpu", {
        ...host(),
        ...ws,
        Authorization: `Bearer ${served.gpuSecret}`,
        Origin: "http://127.0.0.1:3000",
      }),
    ),
  );
  push(
    raw("upgrade", "websocket on a malformed target", "4xx", () =>
      request("GET", "http://[::1/", { ...host(), ...ws }),
    ),
  );
  push(raw("upgrade", "websocket on /health", "4xx", () => request("GET", "/health", { ...host(), ...ws })));
  push(
    raw("upgrade", "h2c upgrade", "4xx", () =>
      request("GET", "/health", {
        ...host(),
        Connection: "Upgrade, HTTP2-Settings",
        Upgrade: "h2c",
        "HTTP2-Settings": "AAMAAABkAAQAAP__",
      }),
    ),
  );
  push(
    raw("upgrade", "GPU link with a forged Host", "4xx", () =>
      request("GET", "/_testkit/gpu", { ...host(), ...ws, Host: "evil.example" }),
    ),
  );

  // Headers.
  push(
    raw("headers", "17 KiB header", "4xx", () =>
      request("GET", "/health", { ...host(), "X-Big": "a".repeat(17 * 1024) }),
    ),
  );
  // Node keeps the first 2 000 headers (maxHeadersCount) and drops the rest: a plain answer.
  push(
    raw("headers", "2 000 headers", "no-5xx", () =>
      request("GET", "/health", {
        ...host(),
        ...Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`X-${i}`, "1"])),
      }),
    ),
  );
  push(
    raw(
      "headers",
      "conflicting Content-Length",
      "4xx",
      () => `POST /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}`,
      true,
    ),
  );
  push(
    raw(
      "headers",
      "Content-Length and Transfer-Encoding",
      "4xx",
      () => `POST /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}`,
      true,
    ),
  );
  push(
    raw(
      "headers",
      "Content-Length: abc",
      "4xx",
      () => `POST /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n{}`,
      true,
    ),
  );
  push(
    raw(
      "headers",
      "Content-Length: -1",
      "4xx",
      () => `POST /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n`,
      true,
    ),
  );
  push(
    raw(
      "headers",
      "bad chunk size",
      "4xx",
      () => `POST /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      true,
    ),
  );
  push(
    raw(
      "headers",
      "invalid header name",
      "4xx",
      () => `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: x\r\n\r\n`,
      true,
    ),
  );
  push(
    raw(
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
      raw("headers", `Host: ${hostName.slice(0, 30)}`, "4xx", () =>
        request("GET", "/health", { Host: hostName, Connection: "close" }),
      ),
    );
  }
  for (const origin of ["http://evil.example", "null", "file://", "http://127.0.0.1.evil.example", "x".repeat(5000)]) {
    push(
      raw("headers", `Origin: ${origin.slice(0, 30)}`, "4xx", () =>
        request("POST", "/start_session", { ...host(), Origin: origin, "Content-Type": "text/plain" }, "{}"),
      ),
    );
  }
  push(
    raw("headers", "cross-origin simple POST /stop_session from loopback", "4xx", () =>
      request(
        "POST",
        "/stop_session",
        { ...host(), Origin: "http://localhost:5173", "Content-Type": "text/plain" },
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
      raw("headers", name, [426, 501], () =>
        request("GET", `/sessions/${sessionId}`, { ...host(), Authorization: `Bearer ${jwt}`, ...value }),
      ),
    );
  }

  // Fault headers (sent with valid credentials, so they are parsed and matched).
  const faultCase = (name: string, value: string, expectation: Expectation) =>
    raw("fault header", name, expectation, () =>
      request("GET", `/sessions/${"a".repeat(6000)}`, { ...auth(), "Reactor-Testkit-Fault": value }),
    );
  push(faultCase("backtracking route glob", `http-status;status=503;route=${"*a".repeat(40)}*b`, "4xx"));
  push(faultCase("route over 256 characters", `http-status;status=503;route=${"x".repeat(300)}`, "4xx"));
  push(faultCase("17 faults", Array.from({ length: 17 }, () => "never-ready").join(","), "4xx"));
  push(faultCase("oversized-message of 600 MB", "oversized-message;bytes=600000000", "4xx"));
  push(faultCase("queue-delay of 3 years", "queue-delay;ms=99999999999", "4xx"));
  push(faultCase("unknown fault", "frobnicate;x=1", "4xx"));
  push(faultCase("not key=value", "http-status;status", "4xx"));
  push(faultCase("status out of range", "http-status;status=200", "4xx"));
  push(faultCase("8 KiB of commas", ",".repeat(8000), "4xx"));

  // Credentials.
  const sessionsWith = (name: string, authorization: string | undefined) =>
    raw("credentials", name, "4xx", () =>
      request("GET", `/sessions/${sessionId}`, {
        ...host(),
        ...API,
        ...(authorization !== undefined && { Authorization: authorization }),
      }),
    );
  const [head, claims] = jwt.split(".");
  for (const [name, value] of [
    ["no Authorization", undefined],
    ["Bearer alone", "Bearer"],
    ["Basic", "Basic dXNlcjpwYXNz"],
    ["two parts", "Bearer a.b"],
    ["four parts", "Bearer a.b.c.d"],
    ["alg none", `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "key_1", exp: 9e9, iat: 0 })}.`],
    [
      "forged claims, real signature",
      `Bearer ${head}.${b64({ sub: "key_1", exp: 9e9, iat: 9e9 })}.${jwt.split(".")[2]}`,
    ],
    ["signature of the wrong length", `Bearer ${head}.${claims}.AAAA`],
    ["8 KiB token", `Bearer ${"A".repeat(8 * 1024)}.${"B".repeat(10)}.${"C".repeat(10)}`],
    ["base64 junk", "Bearer !!!.$$$.%%%"],
    ["deep JSON claims", `Bearer ${head}.${Buffer.from(deep(5000)).toString("base64url")}.${jwt.split(".")[2]}`],
    ["real token with a trailing dot", `Bearer ${jwt}.`],
  ] as const) {
    push(sessionsWith(name, value));
  }
  for (const [name, key] of [
    ["no API key", undefined],
    ["wrong API key", "rk_wrong"],
    ["8 KiB API key", "k".repeat(8 * 1024)],
  ] as const) {
    push(
      raw("credentials", `POST /tokens: ${name}`, "4xx", () =>
        request("POST", "/tokens", { ...host(), ...(key !== undefined && { "Reactor-API-Key": key }) }),
      ),
    );
  }

  // Bodies.
  const post = (
    name: string,
    path: string,
    body: string | Buffer,
    expectation: Expectation,
    headers: Record<string, string> = {},
  ) =>
    raw("bodies", name, expectation, () =>
      request("POST", path, { ...auth(), "Content-Type": "application/json", ...headers }, body),
    );
  push(post("malformed JSON", "/sessions", "{not json", "4xx"));
  push(post("JSON 100 000 deep", "/sessions", deep(100_000), "4xx"));
  push(post("objects 30 000 deep", "/sessions", `${'{"a":'.repeat(30_000)}1${"}".repeat(30_000)}`, "4xx"));
  push(
    post("extra_args.testkit 10 000 deep", "/sessions", withExtraArgs(`{"testkit":{"fault":${deep(10_000)}}}`), "4xx"),
  );
  push(post("__proto__ keys", "/sessions", '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', "4xx"));
  push(post("2 MiB body", "/sessions", `{"x":"${"a".repeat(2 * 1024 * 1024)}"}`, "4xx"));
  push(post("wrong types", "/sessions", '{"model":{"name":5},"supported_transports":"webrtc"}', "4xx"));
  push(
    post(
      "lone surrogate strings",
      "/sessions",
      '{"model":{"name":"\\ud800"},"client_info":{"sdk_version":"\\udfff","sdk_type":"t"},"supported_transports":[]}',
      "4xx",
    ),
  );
  push(
    post(
      "upload slot of 2^53 bytes",
      `/sessions/${sessionId}/uploads`,
      '{"name":"a","size":9007199254740993,"mime_type":"x/y"}',
      "4xx",
    ),
  );
  push(
    post(
      "1 000 ICE candidates",
      `/sessions/${sessionId}/transport/webrtc/ice_candidates`,
      JSON.stringify({
        candidates: Array.from({ length: 1000 }, () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host" })),
        is_final: false,
      }),
      "4xx",
      { "Reactor-WebRTC-Version": "1.0" },
    ),
  );
  push(
    post(
      "SDP garbage on a fresh connection id",
      `/sessions/${sessionId}/transport/webrtc/connections/1234/sdp_params`,
      JSON.stringify({
        sdp_offer: "v=0\r\nm=application 9\r\n",
        client_info: { sdk_version: "1", sdk_type: "t" },
        track_mapping: [],
      }),
      "4xx",
      { "Reactor-WebRTC-Version": "1.0" },
    ),
  );
  push(
    raw("bodies", "presigned PUT to an unknown upload", "4xx", () =>
      request("PUT", "/uploads/nope", { ...host() }, "abc"),
    ),
  );
  push(
    raw("bodies", "local start_session with a deep body", "4xx", () =>
      request(
        "POST",
        "/start_session",
        { ...host(), "Content-Type": "application/json" },
        `{"extra_args":{"testkit":{"faults":${deep(5000)}}}}`,
      ),
    ),
  );
  push({
    group: "bodies",
    name: "body cut short (Content-Length 1000, 10 bytes, then end)",
    expect: "no-5xx",
    mayDrop: true,
    run: async () => [
      await rawExchange(
        served.port,
        request("POST", "/sessions", { ...auth(), "Content-Length": "1000" }, "0123456789"),
      ),
    ],
  });

  // Floods (one case each).
  const many = (name: string, count: number, make: () => Promise<RawAnswer>): Case => ({
    group: "floods",
    name: `${name} ×${count}`,
    expect: "no-5xx",
    mayDrop: true,
    run: () => Promise.all(Array.from({ length: count }, make)),
  });
  push(
    many("concurrent GET /health", budget(300, 2000), () =>
      rawExchange(served.port, request("GET", "/health", host()), { timeoutMs: 20_000 }),
    ),
  );
  push(
    many("concurrent unauthenticated 1 MiB POST /sessions", budget(50, 300), () =>
      rawExchange(served.port, request("POST", "/sessions", host(), "a".repeat(1024 * 1024)), { timeoutMs: 20_000 }),
    ),
  );
  push(
    many("concurrent POST /tokens with a wrong key", budget(200, 1000), () =>
      rawExchange(served.port, request("POST", "/tokens", { ...host(), "Reactor-API-Key": "rk_nope" }), {
        timeoutMs: 20_000,
      }),
    ),
  );
  push({
    group: "floods",
    name: `${budget(500, 5000)} pipelined requests on one socket`,
    expect: "no-5xx",
    run: async () => {
      const one = request("GET", "/health", { Host: `127.0.0.1:${served.port}` });
      const n = budget(500, 5000);
      return [
        await rawExchange(
          served.port,
          Buffer.concat([...Array.from({ length: n - 1 }, () => one), line("GET /health HTTP/1.1")]),
          { timeoutMs: 30_000 },
        ),
      ];
    },
  });
  push({
    group: "floods",
    name: `${budget(100, 1000)} idle sockets held open`,
    expect: "no-5xx",
    mayDrop: true,
    run: async () => {
      const held = Array.from({ length: budget(100, 1000) }, () =>
        rawExchange(served.port, "", { end: false, timeoutMs: 1500 }),
      );
      const during = await fetch(`${served.url}/health`, { signal: AbortSignal.timeout(5000) });
      const answers = await Promise.all(held);
      return [{ ...answers[0]!, status: during.status, statuses: [during.status] }];
    },
  });
  if (LONG) {
    push({
      group: "floods",
      name: "slowloris (one header byte every 200 ms)",
      expect: "no-5xx",
      mayDrop: true,
      run: async () => [
        await rawExchange(served.port, "", {
          timeoutMs: 20_000,
          write: async (socket) => {
            for (const ch of "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n") {
              if (socket.destroyed) return;
              socket.write(ch);
              await new Promise((r) => setTimeout(r, 200));
            }
          },
        }),
      ],
    });
  }
  return list;
}

async function healthy(): Promise<boolean> {
  try {
    const res = await fetch(`${served.url}/health`, { signal: AbortSignal.timeout(5000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

function judge(c: Case, answers: RawAnswer[], tally: Tally): void {
  const allowed = Array.isArray(c.expect) ? c.expect : [];
  let serverErrors = 0;
  for (const a of answers) {
    for (const status of a.statuses) if (status >= 500 && !allowed.includes(status)) serverErrors++;
  }
  tally.serverErrors += serverErrors;
  const first = answers[0]!;
  const status = first.status;
  if (status >= 400 && status < 500) tally.clean4xx++;
  else if (status >= 200 && status < 400) tally.answered2xx++;
  else if (status === 0 && first.timedOut) tally.noAnswer++;
  else if (status === 0) tally.dropped++;
  const dropped = status === 0 && !first.timedOut;
  let fits: boolean;
  if (Array.isArray(c.expect)) fits = c.expect.includes(status);
  else if (c.expect === "4xx") fits = (status >= 400 && status < 500) || (c.mayDrop === true && dropped);
  else if (c.expect === "2xx") fits = status >= 200 && status < 300;
  else fits = !first.timedOut || c.mayDrop === true;
  if (serverErrors > 0 || !fits) {
    const seen = status || (first.timedOut ? "no answer" : "closed without answer");
    tally.unexpected.push(`[${c.group}] ${c.name}: ${seen} ${JSON.stringify(first.head.slice(0, 80))}`);
  }
}

describe("hostile requests against reactor-testkit serve", () => {
  it("every case gets a clean answer; the server never crashes or hangs", async () => {
    const tally: Tally = {
      cases: 0,
      clean4xx: 0,
      answered2xx: 0,
      dropped: 0,
      noAnswer: 0,
      serverErrors: 0,
      crashes: 0,
      hangs: 0,
      unexpected: [],
    };
    const groups = new Map<string, { cases: number; clean4xx: number }>();
    for (const c of cases()) {
      tally.cases++;
      const before = tally.clean4xx;
      const answers = await c.run();
      judge(c, answers, tally);
      const g = groups.get(c.group) ?? { cases: 0, clean4xx: 0 };
      g.cases++;
      g.clean4xx += tally.clean4xx - before;
      groups.set(c.group, g);
      if (!served.alive()) {
        tally.crashes++;
        tally.unexpected.push(`[${c.group}] ${c.name}: the server exited (${served.stderr().slice(-500)})`);
        break;
      }
      if (!(await healthy())) {
        tally.hangs++;
        tally.unexpected.push(`[${c.group}] ${c.name}: /health did not answer within 5 s`);
      }
    }
    const stats = served.procStats();
    console.log(
      [
        `[hostile-http] cases=${tally.cases} clean_4xx=${tally.clean4xx} answered_2xx=${tally.answered2xx} ` +
          `closed_without_answer=${tally.dropped} no_answer=${tally.noAnswer} server_errors=${tally.serverErrors} ` +
          `crashes=${tally.crashes} hangs=${tally.hangs}`,
        ...[...groups].map(([group, g]) => `[hostile-http]   ${group}: ${g.cases} cases, ${g.clean4xx} clean 4xx`),
        `[hostile-http] server after: rss=${stats?.rssKiB}KiB fds=${stats?.fds}`,
      ].join("\n"),
    );
    expect(tally.unexpected).toEqual([]);
    expect([tally.crashes, tally.hangs, tally.serverErrors]).toEqual([0, 0, 0]);
  });
});
