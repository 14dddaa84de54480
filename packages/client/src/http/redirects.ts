/**
 * Redirects of coordinator calls. Those requests carry credentials (`Reactor-API-Key` on
 * `POST /tokens`, `Authorization: Bearer` elsewhere) and `fetch` forwards custom headers across
 * origins when it follows a redirect, so redirects are followed by hand and only within the
 * origin the request was made to; a redirect anywhere else is refused with REDIRECT_REFUSED
 * (the credentials never leave, and no token from another origin is used).
 */
import { reactorError } from "@reactor-node/protocol";

/** Same-origin redirects followed per request before giving up (our choice; fetch's default is 20). */
const HTTP_MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** `fetch(url, init)` following same-origin redirects only (the caller's abort and timeout apply to every hop). */
export async function fetchSameOrigin(
  url: string,
  init: RequestInit & { method: string },
  what: string,
): Promise<Response> {
  const origin = new URL(url).origin;
  let current = { url, init };
  for (let hop = 0; ; hop++) {
    const response = await fetch(current.url, { ...current.init, redirect: "manual" });
    const location = response.headers.get("location");
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    await response.body?.cancel().catch(() => {});
    let next: URL;
    try {
      next = new URL(location, current.url);
    } catch {
      throw reactorError("INVALID_RESPONSE", `${what}: HTTP ${response.status} with an invalid Location`);
    }
    if (next.origin !== origin) {
      throw reactorError(
        "REDIRECT_REFUSED",
        `${what}: HTTP ${response.status} redirect to another origin (${next.origin}) refused: credentials stay with ${origin}`,
      );
    }
    if (hop >= HTTP_MAX_REDIRECTS) {
      throw reactorError("INVALID_RESPONSE", `${what}: more than ${HTTP_MAX_REDIRECTS} redirects`);
    }
    current = { url: next.href, init: redirectedInit(current.init, response.status) };
  }
}

// As fetch does: 303 (and 301/302 after a POST) continue as a GET without a body; 307/308 repeat the request.
function redirectedInit(init: RequestInit & { method: string }, status: number): RequestInit & { method: string } {
  const toGet = status === 303 || ((status === 301 || status === 302) && init.method === "POST");
  if (!toGet || init.method === "GET") return init;
  const headers = Object.fromEntries(
    Object.entries((init.headers ?? {}) as Record<string, string>).filter(([k]) => k.toLowerCase() !== "content-type"),
  );
  const { body: _body, ...rest } = init;
  return { ...rest, method: "GET", headers };
}
