/**
 * Local-mode routes (docs/protocol.md §8): one session at a time with the all-zero id, no auth,
 * bodies and status codes mirroring the captured runtime (packages/protocol/test/vectors/runtime:
 * 200 descriptor at once, 409 `{"detail":"cannot start session while waiting"}`, 200 empty stop, …).
 */
import {
  EndSessionRequestSchema,
  LOCAL_MODEL_LOADING_RETRY_AFTER_S,
  LOCAL_SESSION_ID,
  SessionState,
  StartSessionRequestSchema,
} from "@reactor-node/protocol";
import { faultsFromExtraArgs } from "../../faults/spec.js";
import { echoSchemaFor } from "../../model/echo-schema.js";
import type { CoordinatorContext } from "../context.js";
import { HttpError, json } from "../http.js";
import { recordingFor } from "../recording.js";
import { type Route, route } from "../router.js";
import { faultsOrBadRequest } from "./hosted.js";

/** The local-mode routes. */
export function localRoutes(c: CoordinatorContext): Route[] {
  const current = () => {
    const s = c.sessions.get(LOCAL_SESSION_ID);
    return s && s.state !== SessionState.CLOSED ? s : undefined;
  };
  const defaultModel = () => [...c.models.values()][0]!;
  return [
    route({
      method: "GET",
      pattern: "/health",
      auth: "none",
      versions: "none",
      body: { kind: "none" },
      handler: () => json(200, { status: "healthy", state: current() ? "busy" : "available", detail: null }),
    }),
    route({
      method: "GET",
      pattern: "/schema",
      auth: "none",
      versions: "none",
      body: { kind: "none" },
      handler: () => json(200, echoSchemaFor(defaultModel())),
    }),
    route({
      method: "POST",
      pattern: "/start_session",
      auth: "none",
      versions: "none",
      body: { kind: "json", schema: StartSessionRequestSchema, optional: true },
      handler: async (ctx) => {
        const running = current();
        if (running) throw new HttpError(409, `cannot start session while ${running.localState}`);
        if (!c.pool.free()) {
          throw new HttpError(
            503,
            "Model is loading",
            {},
            { "Retry-After": String(LOCAL_MODEL_LOADING_RETRY_AFTER_S) },
          );
        }
        const faults = faultsOrBadRequest(() => [
          ...c.faults(),
          ...faultsFromExtraArgs(ctx.body?.extra_args),
          ...ctx.headerFaults,
        ]);
        const model = defaultModel();
        const session = await c.sessions.createLocal(model, faults, recordingFor(model, true, ctx.body?.extra_args));
        ctx.sessionId = session.id;
        return json(200, session.toLocalWire());
      },
    }),
    route({
      method: "GET",
      pattern: "/session",
      auth: "none",
      versions: "none",
      body: { kind: "none" },
      handler: () => {
        const s = current();
        if (!s) throw new HttpError(404, "No session running");
        return json(200, s.toLocalWire());
      },
    }),
    route({
      method: "POST",
      pattern: "/stop_session",
      auth: "none",
      versions: "none",
      body: { kind: "json", schema: EndSessionRequestSchema, optional: true },
      handler: (ctx) => {
        const s = current();
        if (!s) throw new HttpError(409, "cannot stop session while ready");
        c.sessions.end(s, ctx.body?.reason ?? "session stopped", true);
        return { status: 200 };
      },
    }),
  ];
}
