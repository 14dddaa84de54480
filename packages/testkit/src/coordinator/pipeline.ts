/**
 * One HTTP request through the fake coordinator: CORS, routing, injected `http-status`
 * faults, version headers, auth, a bounded body parsed and validated with the protocol's zod
 * schemas, the handler, then the JSON answer and a history record. Unknown routes and malformed
 * bodies are 4xx `{detail}` answers and go to the `onUnhandled` strategy (unhandled.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  API_VERSION,
  checkRequestVersions,
  describeIssues,
  HEADER_API_ACCEPT_VERSION,
  HEADER_API_VERSION,
  HEADER_AUTHORIZATION,
  isReactorError,
  LOCAL_SESSION_ID,
  WEBRTC_VERSION,
} from "@reactor-node/protocol";
import type { z } from "zod";
import { clip, HISTORY_MAX_BODY_BYTES, HISTORY_MAX_DETAIL_CHARS } from "../bounds.js";
import { HttpStatusFault } from "../faults/http-status.js";
import { FAULT_HEADER, type FaultSpec, parseFaultHeader } from "../faults/spec.js";
import type { AccessPolicy } from "./access.js";
import type { CoordinatorContext } from "./context.js";
import { corsHeaders, HttpError, type Reply } from "./http.js";
import type { RequestContext, Route, Router } from "./router.js";

/** Largest JSON body accepted (413 beyond). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
/** Past this many bytes an oversized body is not drained but the socket is dropped. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

class BodyTooLarge extends Error {}
/** The client closed the connection before its body ended (nobody reads the answer). */
class ClientGone extends Error {}

function expectedVersion(header: string): string {
  return header === HEADER_API_VERSION || header === HEADER_API_ACCEPT_VERSION ? API_VERSION : WEBRTC_VERSION;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        if (size > MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      if (!over) reject(error);
    });
    // A client that goes away mid-body: settle, so the request's handler does not wait forever.
    req.on("close", () => {
      if (!req.complete && !over) reject(new ClientGone("the client closed the connection before the body ended"));
    });
  });
}

function describe(error: z.ZodError): string {
  return describeIssues(error, { root: "body" });
}

/** Armed token faults kept at most (one entry per token that carries `http-status` faults). */
const MAX_ARMED_TOKENS = 1000;

/** The request target as a URL; a target `new URL()` refuses is a 400, never a throw upward. */
function parseTarget(target: string | undefined): URL {
  try {
    return new URL(target ?? "/", "http://testkit.invalid");
  } catch {
    throw new HttpError(400, "Malformed request target");
  }
}

/** Request handler state shared by every request of one coordinator. */
export class Pipeline {
  private mockFaults: HttpStatusFault[] = [];
  /** Armed `http-status` faults of each token (by the token's text), so counts span its requests. */
  private readonly tokenFaults = new Map<string, HttpStatusFault[]>();

  constructor(
    private readonly c: CoordinatorContext,
    private readonly router: Router,
    private readonly access: AccessPolicy,
    faults: FaultSpec[],
  ) {
    this.setFaults(faults);
  }

  /**
   * Arms the mock-wide `http-status` faults. A fault that was already armed (the same spec
   * object: `mock.use()` adds layers on top of it) keeps its remaining count; new specs start
   * afresh.
   */
  setFaults(faults: FaultSpec[]): void {
    const armed = new Map(this.mockFaults.map((f) => [f.spec as FaultSpec, f]));
    this.mockFaults = faults.flatMap((f) => (f.name === "http-status" ? [armed.get(f) ?? new HttpStatusFault(f)] : []));
  }

  /**
   * Handles one request; never throws or rejects. Order: target, Host, Origin, route, fault
   * header, versions and credentials, then (only for a request that passed all of them) the
   * body, injected faults, the body schema and the handler. A request refused before the
   * handler is recorded without its headers and body.
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const origin = typeof req.headers.origin === "string" ? req.headers.origin : undefined;
    const header = (name: string) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    let path = "/";
    let query = "";
    let reply: Reply;
    let routeName: string | undefined;
    let ctx: RequestContext<unknown> | undefined;
    let body: unknown;
    let bodyRead = false;
    let admitted = false;
    let unhandled: string | undefined;
    try {
      let url: URL;
      try {
        url = parseTarget(req.url);
      } catch (error) {
        unhandled = "Malformed request target";
        throw error;
      }
      path = url.pathname;
      query = url.search;
      const host = this.access.checkHost(req);
      if (!host.ok) throw new HttpError(403, host.detail);
      const allowedOrigin = this.access.checkOrigin(req);
      if (!allowedOrigin.ok) throw new HttpError(403, allowedOrigin.detail);
      if (method === "OPTIONS") {
        reply = { status: 204 };
      } else {
        const match = this.router.match(method, path);
        if (match.kind === "not-found") {
          unhandled = `No route for ${method} ${path}`;
          throw new HttpError(404, unhandled);
        }
        if (match.kind === "method-not-allowed") {
          unhandled = `Method ${method} not allowed on ${path} (allowed: ${match.allowed.join(", ")})`;
          throw new HttpError(405, unhandled, {}, { Allow: match.allowed.join(", ") });
        }
        const r = match.route;
        routeName = `${r.method} ${r.pattern}`;
        if (r.auth === "none" && method !== "GET") {
          const write = this.access.checkCredentialless(req);
          if (!write.ok) throw new HttpError(403, write.detail);
        }
        ctx = {
          req,
          method,
          path,
          params: match.params,
          query: url.searchParams,
          header,
          body: undefined,
          raw: Buffer.alloc(0),
          baseUrl: this.c.publicUrl,
          headerFaults: [],
          tokenFaults: [],
          ...(match.params.sid !== undefined && { sessionId: match.params.sid }),
        };
        const faultHeader = header(FAULT_HEADER);
        if (faultHeader) {
          try {
            ctx.headerFaults = parseFaultHeader(faultHeader);
          } catch (error) {
            throw new HttpError(400, `${FAULT_HEADER}: ${(error as Error).message}`);
          }
        }
        this.checkAccess(r, ctx);
        ctx.tokenFaults = this.c.authority.peek(header(HEADER_AUTHORIZATION))?.testkit_faults ?? [];
        const limit = r.body.kind === "raw" ? r.body.limit(ctx) : MAX_JSON_BODY_BYTES;
        try {
          bodyRead = true;
          ctx.raw = await readBody(req, limit);
        } catch (error) {
          if (!(error instanceof BodyTooLarge)) throw error;
          if (r.body.kind === "raw") throw new HttpError(400, `body exceeds the upload's declared size`);
          unhandled = `Body over ${limit} bytes on ${method} ${path}`;
          throw new HttpError(413, `Request body exceeds ${limit} bytes`);
        }
        admitted = true;
        body = r.body.kind === "raw" ? { bytes: ctx.raw.length } : this.preview(ctx.raw);
        const injected = this.injected(ctx);
        if (injected) reply = injected;
        else {
          ctx.body = this.parseBody(r, ctx, (detail) => {
            unhandled = detail;
          });
          reply = await r.handler(ctx);
        }
      }
    } catch (error) {
      reply = this.errorReply(error);
    }
    this.c.logger.debug({ method, path, status: reply.status }, "coordinator request");
    if (unhandled !== undefined) {
      this.c.reportUnhandled({
        kind: "http",
        detail: clip(unhandled, HISTORY_MAX_DETAIL_CHARS),
        method,
        path,
        status: reply.status,
        time,
      });
    }
    // An unread body is discarded by node:http after the answer; one too large (or of unknown
    // size) to be worth discarding closes the connection instead.
    const declared = Number(req.headers["content-length"] ?? 0);
    const unread = !bodyRead && (declared > MAX_DRAIN_BYTES || req.headers["transfer-encoding"] !== undefined);
    this.send(res, reply, origin, unread);
    if (method === "OPTIONS") return;
    const headers: Record<string, string> = {};
    if (admitted) for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const bodyBytes = ctx && bodyRead ? ctx.raw.length : undefined;
    const keptBody = admitted && bodyBytes !== undefined && bodyBytes <= HISTORY_MAX_BODY_BYTES ? body : undefined;
    this.c.history.push("http", {
      method,
      path,
      query,
      status: reply.status,
      headers,
      body: keptBody,
      ...(bodyBytes !== undefined && bodyBytes > 0 && { bodyBytes }),
      ...(!admitted && { refused: true }),
      ...(routeName !== undefined && { route: routeName }),
      ...(admitted && ctx?.sessionId !== undefined && { sessionId: ctx.sessionId }),
      time,
    });
  }

  private preview(raw: Buffer): unknown {
    if (raw.length === 0) return undefined;
    const text = raw.toString("utf8");
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  // http-status faults: per mock, per session (routes under /sessions/{id}), per request header.
  private injected(ctx: RequestContext<unknown>): Reply | undefined {
    const session = ctx.params.sid ? this.c.sessions.get(ctx.params.sid) : undefined;
    const bearer = ctx.header(HEADER_AUTHORIZATION) ?? "";
    if (ctx.tokenFaults.length > 0 && !this.tokenFaults.has(bearer)) {
      // Oldest first out: only tokens minted with an API key get here, but a long serve mints many.
      if (this.tokenFaults.size >= MAX_ARMED_TOKENS) this.tokenFaults.delete(this.tokenFaults.keys().next().value!);
      this.tokenFaults.set(
        bearer,
        ctx.tokenFaults.flatMap((f) => (f.name === "http-status" ? [new HttpStatusFault(f)] : [])),
      );
    }
    const candidates = [
      ...this.mockFaults,
      ...(this.tokenFaults.get(bearer) ?? []),
      ...(session?.httpFaults ?? []),
      ...ctx.headerFaults.flatMap((f) => (f.name === "http-status" ? [new HttpStatusFault({ ...f, count: 1 })] : [])),
    ];
    const fault = candidates.find((f) => f.take(ctx.method, ctx.path));
    if (!fault) return undefined;
    const { status, retryAfter, detail } = fault.spec;
    this.c.history.push("events", { type: "fault", sessionId: session?.id, detail: fault.spec, time: Date.now() });
    const headers: Record<string, string> = retryAfter !== undefined ? { "Retry-After": String(retryAfter) } : {};
    const text = detail ?? `testkit fault: HTTP ${status}`;
    const extra =
      status === 426 || status === 501
        ? { server_version: API_VERSION, client_version: ctx.header("Reactor-API-Version") ?? null }
        : {};
    return { status, body: { detail: text, ...extra }, headers };
  }

  private checkAccess(r: Route, ctx: RequestContext<unknown>): void {
    // The local session's routes are open, like the runtime's; so are unknown ids (the handler's
    // 404 "Unknown session" mirrors the runtime whichever mode the client is in).
    const sid = ctx.params.sid;
    const localSession = sid !== undefined && (sid === LOCAL_SESSION_ID || !this.c.sessions.get(sid));
    if (r.versions !== "none" && !localSession) {
      // Tolerated absences, because official clients omit them: both API headers on /tokens,
      // and on transport routes (the JS SDK sends only Reactor-WebRTC-Version there). A header
      // that is present is always checked.
      const tolerate = (name: string) =>
        r.auth === "apiKey" ||
        (r.versions === "webrtc" && (name === HEADER_API_VERSION || name === HEADER_API_ACCEPT_VERSION));
      const get = (name: string) => ctx.header(name) ?? (tolerate(name) ? expectedVersion(name) : undefined);
      const check = checkRequestVersions(get, { webrtc: r.versions === "webrtc" });
      if (!check.ok) {
        const who = check.status === 426 ? "upgrade the client" : "this server is older than the client";
        throw new HttpError(
          check.status,
          `${check.header}: ${check.received ?? "(missing)"} is not supported, this server speaks ${check.expected} (${who})`,
          { header: check.header, server_version: check.expected, client_version: check.received ?? null },
        );
      }
    }
    if (r.auth !== "jwt" || localSession) return;
    ctx.token = this.c.authority.verify(ctx.header(HEADER_AUTHORIZATION));
    // A session-scoped token acts only on the sessions it created.
    const session = sid === undefined ? undefined : this.c.sessions.get(sid);
    if (ctx.token.scope && session && session.tokenId !== ctx.token.jti) {
      throw new HttpError(403, `This token is scoped to the sessions it created; ${sid} is not one of them`);
    }
  }

  private parseBody(r: Route, ctx: RequestContext<unknown>, onUnhandled: (detail: string) => void): unknown {
    if (r.body.kind === "raw") return ctx.raw;
    if (r.body.kind === "none") return undefined;
    let value: unknown = null;
    if (ctx.raw.length > 0) {
      try {
        value = JSON.parse(ctx.raw.toString("utf8"));
      } catch {
        const detail = `Malformed JSON body on ${ctx.method} ${ctx.path}`;
        onUnhandled(detail);
        throw new HttpError(400, detail);
      }
    } else if (r.body.optional) {
      // An absent optional body is `null` when the schema takes it (POST /tokens), else undefined.
      return r.body.schema.safeParse(null).success ? null : undefined;
    } else {
      const detail = `Missing JSON body on ${ctx.method} ${ctx.path}`;
      onUnhandled(detail);
      throw new HttpError(400, detail);
    }
    const parsed = r.body.schema.safeParse(value);
    if (!parsed.success) {
      const detail = `Invalid body on ${ctx.method} ${ctx.path}: ${describe(parsed.error)}`;
      onUnhandled(detail);
      throw new HttpError(400, detail);
    }
    return parsed.data;
  }

  private errorReply(error: unknown): Reply {
    if (error instanceof HttpError) {
      return { status: error.status, body: { detail: error.message, ...error.extra }, headers: error.headers };
    }
    if (error instanceof URIError) return { status: 400, body: { detail: "Malformed URL encoding" } };
    if (error instanceof ClientGone) return { status: 400, body: { detail: error.message } };
    this.c.logger.error({ err: error }, "coordinator handler failed");
    const detail = isReactorError(error) ? error.message : "Internal error";
    return { status: 500, body: { detail } };
  }

  private send(res: ServerResponse, reply: Reply, origin: string | undefined, close: boolean): void {
    if (res.headersSent || res.destroyed) return;
    const allowed = origin !== undefined && this.access.originAllowed(origin) ? origin : undefined;
    const headers: Record<string, string> = { ...corsHeaders(allowed), ...(reply.headers ?? {}) };
    let payload: Buffer | undefined;
    if (reply.raw !== undefined) {
      payload = Buffer.from(reply.raw.data);
      headers["Content-Type"] = reply.raw.contentType;
    } else if (reply.body !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.body));
      headers["Content-Type"] = "application/json";
    }
    headers["Content-Length"] = String(payload?.length ?? 0);
    if (reply.status === 413 || close) headers.Connection = "close";
    res.writeHead(reply.status, headers);
    res.end(payload);
  }
}
