/** Hosted lifecycle routes (§1, §3): tokens and sessions. */
import {
  CreateSessionRequestSchema,
  EndSessionRequestSchema,
  HEADER_API_KEY,
  isReactorError,
  TokenRequestSchema,
  TRANSPORT_PROTOCOL,
} from "@reactor-node/protocol";
import { faultsFromExtraArgs, parseFaultHeader, TOKEN_FAULT_HEADER } from "../../faults/spec.js";
import type { CoordinatorContext } from "../context.js";
import { HttpError, json } from "../http.js";
import { recordingFor } from "../recording.js";
import { type Route, route } from "../router.js";

/** Turns a fault-parsing failure into a 400. */
export function faultsOrBadRequest<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isReactorError(error) && !(error instanceof HttpError)) throw new HttpError(400, error.message);
    throw error;
  }
}

/** The hosted lifecycle routes. */
export function hostedRoutes(c: CoordinatorContext): Route[] {
  return [
    route({
      method: "POST",
      pattern: "/tokens",
      auth: "apiKey",
      versions: "api",
      body: { kind: "json", schema: TokenRequestSchema, optional: true },
      handler: (ctx) => {
        const raw = ctx.header(TOKEN_FAULT_HEADER);
        const faults = raw ? faultsOrBadRequest(() => parseFaultHeader(raw)) : [];
        return json(200, c.authority.issue(ctx.header(HEADER_API_KEY), ctx.body ?? undefined, faults));
      },
    }),
    route({
      method: "POST",
      pattern: "/sessions",
      auth: "jwt",
      versions: "api",
      body: { kind: "json", schema: CreateSessionRequestSchema },
      handler: (ctx) => {
        const scope = ctx.token?.scope;
        if (scope && !scope.models.includes(ctx.body.model.name)) {
          throw new HttpError(403, `This token is scoped to ${scope.models.join(", ")}, not '${ctx.body.model.name}'`);
        }
        const model = c.models.get(ctx.body.model.name);
        if (!model) {
          throw new HttpError(
            404,
            `Unknown model '${ctx.body.model.name}' (available: ${[...c.models.keys()].join(", ")})`,
          );
        }
        if (!ctx.body.supported_transports.some((t) => t.protocol === TRANSPORT_PROTOCOL)) {
          throw new HttpError(400, "No supported transport: this service speaks webrtc");
        }
        const faults = faultsOrBadRequest(() => [
          ...c.faults(),
          ...faultsFromExtraArgs(ctx.body.extra_args),
          ...ctx.tokenFaults,
          ...ctx.headerFaults,
        ]);
        if (scope && !c.authority.reserveSession(ctx.token!)) {
          throw new HttpError(403, `This token may create at most ${scope.max_sessions} sessions`);
        }
        const session = c.sessions.create(model, faults, recordingFor(model, false, ctx.body.extra_args));
        if (scope) session.tokenId = ctx.token!.jti;
        ctx.sessionId = session.id;
        return json(201, session.toWire());
      },
    }),
    route({
      method: "GET",
      pattern: "/sessions/:sid",
      auth: "jwt",
      versions: "api",
      body: { kind: "none" },
      handler: (ctx) => json(200, c.sessions.require(ctx.params.sid!).toWire()),
    }),
    route({
      method: "GET",
      pattern: "/sessions/:sid/info",
      auth: "jwt",
      versions: "api",
      body: { kind: "none" },
      handler: (ctx) => json(200, c.sessions.require(ctx.params.sid!).toInfoWire()),
    }),
    route({
      method: "PUT",
      pattern: "/sessions/:sid",
      auth: "jwt",
      versions: "api",
      body: { kind: "none" },
      handler: (ctx) => {
        const session = c.sessions.require(ctx.params.sid!);
        c.sessions.restart(session);
        return json(200, session.toWire());
      },
    }),
    route({
      method: "DELETE",
      pattern: "/sessions/:sid",
      auth: "jwt",
      versions: "api",
      body: { kind: "json", schema: EndSessionRequestSchema, optional: true },
      handler: (ctx) => {
        const session = c.sessions.require(ctx.params.sid!);
        c.sessions.end(session, ctx.body?.reason ?? "session deleted by the client", true);
        return json(200, session.toWire());
      },
    }),
  ];
}
