/** Plain fetch helpers that speak the coordinator's HTTP API (no client library). */
import { API_VERSION, createSessionRequest, type SessionResponseWire, WEBRTC_VERSION } from "@reactor-node/protocol";
import type { MockReactor } from "../../src/mock.js";

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiOptions {
  method?: string;
  body?: unknown;
  /** Raw body text (sent as JSON content type). */
  raw?: string | Uint8Array;
  jwt?: string;
  headers?: Record<string, string>;
  /** Skip the version headers. */
  noVersions?: boolean;
  /** Send only `Reactor-WebRTC-Version` (what the official JS SDK sends on transport routes). */
  onlyWebrtcVersion?: boolean;
}

/** One request to the mock. */
export async function api<T = any>(base: string, path: string, options: ApiOptions = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {
    ...(!options.noVersions &&
      !options.onlyWebrtcVersion && {
        "Reactor-API-Version": API_VERSION,
        "Reactor-API-Accept-Version": API_VERSION,
      }),
    ...(!options.noVersions && path.includes("/transport/webrtc") && { "Reactor-WebRTC-Version": WEBRTC_VERSION }),
    ...(options.jwt && { Authorization: `Bearer ${options.jwt}` }),
    ...((options.body !== undefined || options.raw !== undefined) && { "Content-Type": "application/json" }),
    ...options.headers,
  };
  const res = await fetch(base + path, {
    method: options.method ?? (options.body !== undefined || options.raw !== undefined ? "POST" : "GET"),
    headers,
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    ...(options.raw !== undefined && { body: options.raw }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/** `POST /tokens` with the mock's key. */
export async function token(mock: MockReactor): Promise<string> {
  const res = await api(mock.url, "/tokens", { body: null, headers: { "Reactor-API-Key": mock.apiKey } });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.jwt as string;
}

/** `POST /sessions`; returns the 201 body. */
export async function createSession(
  mock: MockReactor,
  jwt: string,
  options: { extraArgs?: Record<string, unknown>; headers?: Record<string, string>; model?: string } = {},
): Promise<SessionResponseWire> {
  const res = await api(mock.url, "/sessions", {
    jwt,
    body: createSessionRequest(options.model ?? "echo", options.extraArgs),
    ...(options.headers && { headers: options.headers }),
  });
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls `GET /sessions/{id}` until it carries capabilities + selected_transport; returns every state seen. */
export async function waitReady(
  mock: MockReactor,
  jwt: string,
  sessionId: string,
  timeoutMs = 20_000,
): Promise<{ session: SessionResponseWire; states: string[] }> {
  const states: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await api<SessionResponseWire>(mock.url, `/sessions/${sessionId}`, { jwt });
    if (res.status !== 200) throw new Error(`poll: ${res.status} ${JSON.stringify(res.body)}`);
    if (states.at(-1) !== res.body.state) states.push(res.body.state);
    if (res.body.capabilities && res.body.selected_transport) return { session: res.body, states };
    if (res.body.state === "CLOSED" || res.body.state === "INACTIVE") return { session: res.body, states };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`session ${sessionId} not ready; states ${states.join(" → ")}`);
}

/** `DELETE /sessions/{id}`. */
export async function deleteSession(mock: MockReactor, jwt: string, sessionId: string): Promise<number> {
  return (await api(mock.url, `/sessions/${sessionId}`, { jwt, method: "DELETE" })).status;
}
