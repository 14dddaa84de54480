/**
 * Who may talk to the coordinator. The testkit is a developer tool that teams run on shared
 * machines, often with credential-less local-mode routes, so:
 *
 * - **Host allow-list** (DNS rebinding): a request's `Host` must name a loopback address
 *   (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`), the address the server listens on
 *   (with a wildcard address: this machine's interface addresses and host name), or a name
 *   added with `allowedHosts` (`"*"` turns the check off). Anything else is a 403 before
 *   routing. A request without `Host` (HTTP/1.0) is let through.
 * - **CORS allow-list**: browsers may call from a loopback origin (any port) or from an origin
 *   whose host is an allowed host; `corsOrigins` replaces that default with a list of exact
 *   origins (or `"*"`). Only allowed origins are reflected in `Access-Control-Allow-Origin`,
 *   and a request carrying any other `Origin` is refused (403) before it runs, so a page on a
 *   foreign origin cannot make the testkit act even with a no-preflight ("simple") request.
 * - **Credential-less writes**: a cross-origin request to a route without credentials that
 *   changes state (local-mode start/stop, presigned upload, local transport) must be one a
 *   browser preflights (JSON content type, or a `Reactor-*` / `Authorization` header);
 *   a simple form-style request is refused (403) even from an allowed origin.
 * - The GPU link (`/_testkit/gpu`) takes no browser at all: an upgrade with an `Origin` is 403.
 */
import type { IncomingMessage } from "node:http";
import { hostname as machineName, networkInterfaces } from "node:os";

/** The `allowedHosts` / `corsOrigins` options. */
export interface AccessOptions {
  /** Extra host names (or addresses) clients may use in `Host`; `"*"` allows any. */
  allowedHosts?: readonly string[] | "*";
  /** Exact origins browsers may call from (`"*"`: any); default loopback + allowed hosts. */
  corsOrigins?: readonly string[] | "*";
}

/** The answer of a check: allowed, or refused with the reason for a 403 `detail`. */
export type AccessVerdict = { ok: true } | { ok: false; detail: string };

const OK: AccessVerdict = { ok: true };
const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "::", "[::]", ""]);

/** The host part of a `Host` header or URL authority, lower-cased, without port or brackets. */
function hostOf(authority: string): string {
  const text = authority.trim().toLowerCase();
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    return end < 0 ? text : text.slice(1, end);
  }
  const colon = text.indexOf(":");
  // More than one colon and no brackets: a bare IPv6 address without a port.
  if (colon >= 0 && text.indexOf(":", colon + 1) >= 0) return text;
  return colon < 0 ? text : text.slice(0, colon);
}

/** True for names and addresses that can only reach this machine. */
function isLoopback(host: string): boolean {
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "::1" ||
    host === "0:0:0:0:0:0:0:1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === "http:" || url.protocol === "https:" ? hostOf(url.host) : undefined;
  } catch {
    return undefined;
  }
}

const SIMPLE_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

/** True when a browser would have preflighted this request (so the Origin check already ran). */
function wasPreflighted(req: IncomingMessage): boolean {
  const method = (req.method ?? "GET").toUpperCase();
  if (method !== "GET" && method !== "HEAD" && method !== "POST") return true;
  const type = String(req.headers["content-type"] ?? "")
    .split(";")[0]!
    .trim()
    .toLowerCase();
  if (type !== "" && !SIMPLE_CONTENT_TYPES.includes(type)) return true;
  return Object.keys(req.headers).some((h) => h.startsWith("reactor-") || h === "authorization");
}

/** The coordinator's access policy, fixed when it starts listening. */
export class AccessPolicy {
  private readonly hosts = new Set<string>();
  private readonly anyHost: boolean;
  private readonly origins: Set<string> | "*" | undefined;

  constructor(listenHost: string, options: AccessOptions = {}) {
    this.anyHost = options.allowedHosts === "*";
    const listen = hostOf(listenHost.includes(":") && !listenHost.startsWith("[") ? `[${listenHost}]` : listenHost);
    if (WILDCARD_ADDRESSES.has(listen)) {
      this.hosts.add(machineName().toLowerCase());
      for (const list of Object.values(networkInterfaces())) {
        for (const nic of list ?? []) this.hosts.add(nic.address.toLowerCase());
      }
    } else this.hosts.add(listen);
    if (Array.isArray(options.allowedHosts)) for (const h of options.allowedHosts) this.hosts.add(hostOf(h));
    const cors = options.corsOrigins;
    this.origins = cors === "*" ? "*" : cors ? new Set(cors.map((o) => o.trim().toLowerCase())) : undefined;
  }

  /** DNS rebinding guard: the `Host` header names this server. */
  checkHost(req: IncomingMessage): AccessVerdict {
    const raw = req.headers.host;
    if (raw === undefined || this.anyHost) return OK;
    const host = hostOf(raw);
    if (isLoopback(host) || this.hosts.has(host)) return OK;
    return {
      ok: false,
      detail: `Host '${raw.slice(0, 100)}' is not allowed; add it with allowedHosts (reactor-testkit serve --allow-host NAME)`,
    };
  }

  /** True when browsers on `origin` may call (and read answers). */
  originAllowed(origin: string): boolean {
    if (this.origins === "*") return true;
    if (this.origins) return this.origins.has(origin.toLowerCase());
    const host = originHost(origin);
    return host !== undefined && (isLoopback(host) || this.hosts.has(host) || this.anyHost);
  }

  /** A request with a foreign `Origin` is refused before it runs. */
  checkOrigin(req: IncomingMessage): AccessVerdict {
    const origin = req.headers.origin;
    if (origin === undefined || this.originAllowed(origin)) return OK;
    return {
      ok: false,
      detail: `Origin '${origin.slice(0, 100)}' is not allowed; add it with corsOrigins (reactor-testkit serve --cors-origin ORIGIN)`,
    };
  }

  /** Credential-less routes that change state accept cross-origin requests only when preflighted. */
  checkCredentialless(req: IncomingMessage): AccessVerdict {
    const origin = req.headers.origin;
    if (origin === undefined || wasPreflighted(req)) return OK;
    const host = req.headers.host;
    if (host !== undefined && originHost(origin) !== undefined && new URL(origin).host === host.toLowerCase()) {
      return OK;
    }
    return {
      ok: false,
      detail: "Cross-origin simple requests are refused on routes without credentials (send JSON)",
    };
  }

  /** The GPU link takes no browser: an upgrade with an `Origin` (any origin) is refused. */
  checkGpuLink(req: IncomingMessage): AccessVerdict {
    const host = this.checkHost(req);
    if (!host.ok) return host;
    if (req.headers.origin !== undefined) return { ok: false, detail: "GPU link: browsers may not connect" };
    return OK;
  }
}
