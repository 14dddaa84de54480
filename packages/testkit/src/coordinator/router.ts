/**
 * A small method + path router: patterns like `/sessions/:sid/transport/webrtc/connections/:cid`,
 * each route declaring how it is authenticated, which version headers it needs and how its
 * body is parsed; the pipeline enforces all three before the handler runs.
 */
import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import type { FaultSpec } from "../faults/spec.js";
import type { TokenClaims } from "./auth.js";
import type { Reply } from "./http.js";

/** How a route is authenticated. */
export type RouteAuth =
  /** No credentials (local mode, presigned uploads, health). */
  | "none"
  /** `Reactor-API-Key` (POST /tokens). */
  | "apiKey"
  /** `Authorization: Bearer <jwt>`, except on the local session's routes. */
  | "jwt";

/** How a route's body is read. */
export type RouteBody<T> =
  | { kind: "none" }
  /** Optional JSON validated by `schema` (an absent body parses as `null`). */
  | { kind: "json"; schema: z.ZodType<T>; optional?: boolean }
  /** Raw bytes (presigned upload PUT); the handler checks the size. */
  | { kind: "raw"; limit: (ctx: RequestContext<unknown>) => number };

/** Everything a handler gets. */
export interface RequestContext<T> {
  req: IncomingMessage;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  header(name: string): string | undefined;
  /** The parsed, validated body. */
  body: T;
  raw: Buffer;
  /** The coordinator's public base URL (`http://host:port`; never taken from the request's `Host`). */
  baseUrl: string;
  /** Faults from the `Reactor-Testkit-Fault` header. */
  headerFaults: FaultSpec[];
  /** Set by handlers so the history can attribute the call. */
  sessionId?: string;
  /** Faults carried by the bearer token (`testkit_faults` claim). */
  tokenFaults: FaultSpec[];
  /** The verified bearer token's claims, on `jwt` routes. */
  token?: TokenClaims;
}

/** One route. */
export interface Route<T = unknown> {
  method: string;
  pattern: string;
  auth: RouteAuth;
  /** `api` = both API version headers; `webrtc` = also `Reactor-WebRTC-Version`. */
  versions: "none" | "api" | "webrtc";
  body: RouteBody<T>;
  handler(ctx: RequestContext<T>): Reply | Promise<Reply>;
}

/** Declares a route with its body type inferred. */
export function route<T>(r: Route<T>): Route {
  return r as unknown as Route;
}

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

/** The result of a lookup. */
export type Match =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "method-not-allowed"; allowed: string[] }
  | { kind: "not-found" };

/** A route table. */
export class Router {
  private readonly compiled: Compiled[] = [];

  /** Adds routes in order; the first match wins. */
  add(...routes: Route[]): this {
    for (const r of routes) {
      const names: string[] = [];
      const source = r.pattern
        .split("/")
        .map((seg) => {
          if (seg.startsWith(":")) {
            names.push(seg.slice(1));
            return "([^/]+)";
          }
          return seg.replace(/[.+?^${}()|[\]\\*]/g, "\\$&");
        })
        .join("/");
      this.compiled.push({ route: r, regex: new RegExp(`^${source}/?$`), names });
    }
    return this;
  }

  /** Finds the route for a method and path. */
  match(method: string, path: string): Match {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.regex.exec(path);
      if (!m) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? "");
      });
      return { kind: "found", route: c.route, params };
    }
    return allowed.length > 0 ? { kind: "method-not-allowed", allowed } : { kind: "not-found" };
  }
}
