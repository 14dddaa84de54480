import {
  API_VERSION,
  HEADER_API_ACCEPT_VERSION,
  HEADER_API_KEY,
  HEADER_API_VERSION,
  HEADER_AUTHORIZATION,
  HEADER_WEBRTC_VERSION,
  WEBRTC_VERSION,
} from "../constants.js";

/** What a request needs in its headers. */
export interface RequestHeaderOptions {
  /** Bearer token; an empty string or undefined sends no Authorization header (§1). */
  jwt?: string;
  /** API key, only for `POST /tokens`. */
  apiKey?: string;
  /** True for `/transport/webrtc/*` routes: adds `Reactor-WebRTC-Version`. */
  webrtc?: boolean;
  /** True when the request has a JSON body. */
  json?: boolean;
}

/** Headers for one coordinator request: both API version headers always, WebRTC version on transport routes. */
export function buildRequestHeaders(options: RequestHeaderOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {
    [HEADER_API_VERSION]: API_VERSION,
    [HEADER_API_ACCEPT_VERSION]: API_VERSION,
  };
  if (options.webrtc) headers[HEADER_WEBRTC_VERSION] = WEBRTC_VERSION;
  if (options.jwt) headers[HEADER_AUTHORIZATION] = `Bearer ${options.jwt}`;
  if (options.apiKey) headers[HEADER_API_KEY] = options.apiKey;
  if (options.json) headers["Content-Type"] = "application/json";
  return headers;
}

/** True for a path on the WebRTC transport routes, which also carry `Reactor-WebRTC-Version`. */
export function isWebRtcTransportPath(path: string): boolean {
  return /\/transport\/webrtc(\/|$)/.test(path);
}

/** The outcome of checking a request's version headers on the server side. */
export type VersionCheck =
  | { ok: true }
  | { ok: false; status: 426 | 501; header: string; expected: string; received: string | undefined };

/**
 * Server-side version check (used by the testkit): a missing or older version is 426
 * (client must upgrade); a newer one than the server speaks is 501 (server too old).
 */
export function checkRequestVersions(
  get: (name: string) => string | undefined,
  options: { webrtc: boolean },
): VersionCheck {
  const checks: Array<[string, string]> = [
    [HEADER_API_VERSION, API_VERSION],
    [HEADER_API_ACCEPT_VERSION, API_VERSION],
  ];
  if (options.webrtc) checks.push([HEADER_WEBRTC_VERSION, WEBRTC_VERSION]);
  for (const [header, expected] of checks) {
    const received = get(header) ?? get(header.toLowerCase());
    if (received === expected) continue;
    const newer = received !== undefined && compareVersions(received, expected) > 0;
    return { ok: false, status: newer ? 501 : 426, header, expected, received };
  }
  return { ok: true };
}

/** Compares dotted numeric versions ("1.0" vs "1"); non-numeric parts compare as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(".").map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
