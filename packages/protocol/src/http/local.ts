import { z } from "zod";

/** `POST /start_session` body in local mode (§8). */
export const StartSessionRequestSchema = z.union([
  z.null(),
  z.object({ extra_args: z.record(z.string(), z.unknown()).optional() }),
]);
export type StartSessionRequestWire = z.infer<typeof StartSessionRequestSchema>;

/** `GET /health` body in local mode. */
export const HealthResponseSchema = z.object({
  status: z.string(),
  state: z.string(),
  detail: z.string().nullable().optional(),
});
export type HealthResponseWire = z.infer<typeof HealthResponseSchema>;
