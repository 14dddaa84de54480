/**
 * The cases of the hostile-request suite (test/hostile-http.test.ts), as raw bytes on a socket.
 * Each names what a right answer is; the suite checks `/health` after every one.
 */
import { type RawAnswer, rawExchange } from "../raw-http.js";

/** What counts as a right answer: a 4xx, a 2xx, anything but a 5xx, or exactly these statuses. */
export type Expectation = "4xx" | "2xx" | "no-5xx" | readonly number[];

export interface Case {
  group: string;
  name: string;
  expect: Expectation;
  /** The server may close without answering (a request it cannot even parse to the end). */
  mayDrop?: boolean;
  run(): Promise<RawAnswer[]>;
}

/** What the cases need to know about the server under test. */
export interface CaseTarget {
  port: number;
  url: string;
  gpuSecret: string;
  /** A valid JWT and an ACTIVE session of it. */
  jwt: string;
  sessionId: string;
}

/** API version headers of a well-formed request. */
export const API = { "Reactor-API-Version": "1", "Reactor-API-Accept-Version": "1" };

export function host(t: CaseTarget): Record<string, string> {
  return { Host: `127.0.0.1:${t.port}`, Connection: "close" };
}

export function auth(t: CaseTarget): Record<string, string> {
  return { ...host(t), ...API, Authorization: `Bearer ${t.jwt}` };
}

export function raw(
  t: CaseTarget,

  group: string,
  name: string,
  expectation: Expectation,
  bytes: () => string | Buffer,
  mayDrop = false,
): Case {
  return { group, name, expect: expectation, mayDrop, run: async () => [await rawExchange(t.port, bytes())] };
}

export function line(t: CaseTarget, requestLine: string, headers: Record<string, string> = {}): Buffer {
  return Buffer.from(
    `${requestLine}\r\n${Object.entries({ ...host(t), ...headers })
      .map(([k, v]) => `${k}: ${v}`)
      .join("\r\n")}\r\n\r\n`,
    "latin1",
  );
}

export const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
export const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
// Deep values are spliced in as text: JSON.stringify itself cannot walk them.
export const withExtraArgs = (extraArgs: string) =>
  `{"model":{"name":"echo"},"client_info":{"sdk_version":"1","sdk_type":"t"},"supported_transports":[{"protocol":"webrtc","version":"1.0"}],"extra_args":${extraArgs}}`;
