/** Fault headers, credentials, bodies and floods. */
import { budget, LONG } from "../budget.js";
import { type RawAnswer, rawExchange, request } from "../raw-http.js";
import {
  API,
  auth,
  b64,
  type Case,
  type CaseTarget,
  deep,
  type Expectation,
  host,
  line,
  raw,
  withExtraArgs,
} from "./common.js";

export function payloadCases(t: CaseTarget): Case[] {
  const list: Case[] = [];
  const push = (...c: Case[]) => list.push(...c);
  // Fault headers (sent with valid credentials, so they are parsed and matched).
  const faultCase = (name: string, value: string, expectation: Expectation) =>
    raw(t, "fault header", name, expectation, () =>
      request("GET", `/sessions/${"a".repeat(6000)}`, { ...auth(t), "Reactor-Testkit-Fault": value }),
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
    raw(t, "credentials", name, "4xx", () =>
      request("GET", `/sessions/${t.sessionId}`, {
        ...host(t),
        ...API,
        ...(authorization !== undefined && { Authorization: authorization }),
      }),
    );
  const [head, claims] = t.jwt.split(".");
  for (const [name, value] of [
    ["no Authorization", undefined],
    ["Bearer alone", "Bearer"],
    ["Basic", "Basic dXNlcjpwYXNz"],
    ["two parts", "Bearer a.b"],
    ["four parts", "Bearer a.b.c.d"],
    ["alg none", `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "key_1", exp: 9e9, iat: 0 })}.`],
    [
      "forged claims, real signature",
      `Bearer ${head}.${b64({ sub: "key_1", exp: 9e9, iat: 9e9 })}.${t.jwt.split(".")[2]}`,
    ],
    ["signature of the wrong length", `Bearer ${head}.${claims}.AAAA`],
    ["8 KiB token", `Bearer ${"A".repeat(8 * 1024)}.${"B".repeat(10)}.${"C".repeat(10)}`],
    ["base64 junk", "Bearer !!!.$$$.%%%"],
    ["deep JSON claims", `Bearer ${head}.${Buffer.from(deep(5000)).toString("base64url")}.${t.jwt.split(".")[2]}`],
    ["real token with a trailing dot", `Bearer ${t.jwt}.`],
  ] as const) {
    push(sessionsWith(name, value));
  }
  for (const [name, key] of [
    ["no API key", undefined],
    ["wrong API key", "rk_wrong"],
    ["8 KiB API key", "k".repeat(8 * 1024)],
  ] as const) {
    push(
      raw(t, "credentials", `POST /tokens: ${name}`, "4xx", () =>
        request("POST", "/tokens", { ...host(t), ...(key !== undefined && { "Reactor-API-Key": key }) }),
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
    raw(t, "bodies", name, expectation, () =>
      request("POST", path, { ...auth(t), "Content-Type": "application/json", ...headers }, body),
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
      `/sessions/${t.sessionId}/uploads`,
      '{"name":"a","size":9007199254740993,"mime_type":"x/y"}',
      "4xx",
    ),
  );
  push(
    post(
      "1 000 ICE candidates",
      `/sessions/${t.sessionId}/transport/webrtc/ice_candidates`,
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
      `/sessions/${t.sessionId}/transport/webrtc/connections/1234/sdp_params`,
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
    raw(t, "bodies", "presigned PUT to an unknown upload", "4xx", () =>
      request("PUT", "/uploads/nope", { ...host(t) }, "abc"),
    ),
  );
  push(
    raw(t, "bodies", "local start_session with a deep body", "4xx", () =>
      request(
        "POST",
        "/start_session",
        { ...host(t), "Content-Type": "application/json" },
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
      await rawExchange(t.port, request("POST", "/sessions", { ...auth(t), "Content-Length": "1000" }, "0123456789")),
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
      rawExchange(t.port, request("GET", "/health", host(t)), { timeoutMs: 20_000 }),
    ),
  );
  push(
    many("concurrent unauthenticated 1 MiB POST /sessions", budget(50, 300), () =>
      rawExchange(t.port, request("POST", "/sessions", host(t), "a".repeat(1024 * 1024)), { timeoutMs: 20_000 }),
    ),
  );
  push(
    many("concurrent POST /tokens with a wrong key", budget(200, 1000), () =>
      rawExchange(t.port, request("POST", "/tokens", { ...host(t), "Reactor-API-Key": "rk_nope" }), {
        timeoutMs: 20_000,
      }),
    ),
  );
  push({
    group: "floods",
    name: `${budget(500, 5000)} pipelined requests on one socket`,
    expect: "no-5xx",
    run: async () => {
      const one = request("GET", "/health", { Host: `127.0.0.1:${t.port}` });
      const n = budget(500, 5000);
      return [
        await rawExchange(
          t.port,
          Buffer.concat([...Array.from({ length: n - 1 }, () => one), line(t, "GET /health HTTP/1.1")]),
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
        rawExchange(t.port, "", { end: false, timeoutMs: 1500 }),
      );
      const during = await fetch(`${t.url}/health`, { signal: AbortSignal.timeout(5000) });
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
        await rawExchange(t.port, "", {
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
