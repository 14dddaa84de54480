/** Upload slot creation (§3 #6) and the presigned PUT the slot names (§3 #7, §8). */
import { UploadSlotRequestSchema } from "@reactor-node/protocol";
import type { CoordinatorContext } from "../context.js";
import { HttpError, json } from "../http.js";
import { type Route, route } from "../router.js";

/** The upload routes. */
export function uploadRoutes(c: CoordinatorContext): Route[] {
  return [
    route({
      method: "POST",
      pattern: "/sessions/:sid/uploads",
      auth: "jwt",
      versions: "api",
      body: { kind: "json", schema: UploadSlotRequestSchema },
      handler: (ctx) => {
        const session = c.sessions.require(ctx.params.sid!);
        ctx.sessionId = session.id;
        if (session.state === "CLOSED") throw new HttpError(400, "Session is closed");
        return json(201, c.uploads.create(session.id, ctx.body.name, ctx.body.size, ctx.body.mime_type, ctx.baseUrl));
      },
    }),
    route({
      method: "PUT",
      pattern: "/uploads/:uid",
      auth: "none",
      versions: "none",
      body: { kind: "raw", limit: (ctx) => c.uploads.limit(ctx.params.uid!) },
      handler: (ctx) => {
        c.uploads.put(ctx.params.uid!, ctx.raw);
        return { status: 200 };
      },
    }),
  ];
}
