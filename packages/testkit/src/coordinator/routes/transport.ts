/** WebRTC signalling routes (§4) and the legacy single-connection routes (§4.1). */
import { IceCandidatesRequestSchema, SdpOfferRequestSchema } from "@reactor-node/protocol";
import { z } from "zod";
import type { CoordinatorContext } from "../context.js";
import { HttpError, json, type Reply } from "../http.js";
import { type RequestContext, type Route, route } from "../router.js";
import type { Session } from "../session.js";

const T = "/sessions/:sid/transport/webrtc";

/** `POST T/connections` accepts an empty body or an empty object. */
const RegisterConnectionSchema = z.union([z.null(), z.object({})]);

function connectionId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || String(id) !== raw) throw new HttpError(404, `Unknown connection ${raw}`);
  return id;
}

/** The transport routes. */
export function transportRoutes(c: CoordinatorContext): Route[] {
  const session = (ctx: RequestContext<unknown>): Session => {
    const s = c.sessions.require(ctx.params.sid!);
    ctx.sessionId = s.id;
    return s;
  };
  const answer = (ctx: RequestContext<unknown>, id: number | "legacy"): Reply => {
    const s = session(ctx);
    const cid = id === "legacy" ? 1001 : id;
    const sdp = c.connections.takeAnswer(s, cid);
    if (sdp === null) return { status: 202 };
    return json(200, id === "legacy" ? { sdp_answer: sdp } : { sdp_answer: sdp, connection_id: cid });
  };
  return [
    route({
      method: "GET",
      pattern: `${T}/ice_servers`,
      auth: "jwt",
      versions: "webrtc",
      body: { kind: "none" },
      handler: (ctx) => {
        session(ctx);
        return json(200, { ice_servers: [] });
      },
    }),
    route({
      method: "POST",
      pattern: `${T}/connections`,
      auth: "jwt",
      versions: "webrtc",
      body: { kind: "json", schema: RegisterConnectionSchema, optional: true },
      handler: (ctx) => {
        const s = session(ctx);
        const id = c.connections.registerConnection(s);
        const trackMap = Object.fromEntries(
          (s.capabilities?.tracks ?? []).map((t) => [
            t.name,
            {
              kind: t.kind,
              direction: t.direction === "recvonly" ? "out" : "in",
              rate: t.kind === "audio" ? 48000.0 : 0.0,
            },
          ]),
        );
        return json(201, { connection_id: id, track_map: trackMap });
      },
    }),
    ...(["POST", "PUT"] as const).map((method) =>
      route({
        method,
        pattern: `${T}/connections/:cid/sdp_params`,
        auth: "jwt",
        versions: "webrtc",
        body: { kind: "json", schema: SdpOfferRequestSchema },
        handler: (ctx) => {
          const s = session(ctx);
          const id = c.connections.offer(s, connectionId(ctx.params.cid), ctx.body.sdp_offer, ctx.body.track_mapping);
          return json(202, { connection_id: id });
        },
      }),
    ),
    route({
      method: "GET",
      pattern: `${T}/connections/:cid/sdp_params`,
      auth: "jwt",
      versions: "webrtc",
      body: { kind: "none" },
      handler: (ctx) => answer(ctx, connectionId(ctx.params.cid)),
    }),
    route({
      method: "POST",
      pattern: `${T}/connections/:cid/ice_candidates`,
      auth: "jwt",
      versions: "webrtc",
      body: { kind: "json", schema: IceCandidatesRequestSchema },
      handler: (ctx) => {
        const s = session(ctx);
        c.connections.candidates(s, connectionId(ctx.params.cid), ctx.body.candidates, ctx.body.is_final);
        return json(202, {});
      },
    }),
    ...(["POST", "PUT"] as const).map((method) =>
      route({
        method,
        pattern: `${T}/sdp_params`,
        auth: "jwt",
        versions: "webrtc",
        body: { kind: "json", schema: SdpOfferRequestSchema },
        handler: (ctx) => {
          const s = session(ctx);
          const id = c.connections.offer(s, "legacy", ctx.body.sdp_offer, ctx.body.track_mapping);
          return json(202, { connection_id: id });
        },
      }),
    ),
    // Legacy trickle (the JS SDK without connection ids): candidates for connection 1001.
    route({
      method: "POST",
      pattern: `${T}/ice_candidates`,
      auth: "jwt",
      versions: "webrtc",
      body: { kind: "json", schema: IceCandidatesRequestSchema },
      handler: (ctx) => {
        const s = session(ctx);
        c.connections.legacyCandidates(s, ctx.body.candidates, ctx.body.is_final);
        return json(202, {});
      },
    }),
    route({
      method: "GET",
      pattern: `${T}/sdp_params`,
      auth: "jwt",
      versions: "webrtc",
      body: { kind: "none" },
      handler: (ctx) => answer(ctx, "legacy"),
    }),
  ];
}
