import { z } from "zod";

/** `POST /tokens` body: `null` or `{expires_after?, authorization_details?}` (§1). */
export const TokenRequestSchema = z.union([
  z.null(),
  z.object({
    expires_after: z.number().int().positive().optional(),
    authorization_details: z.array(z.unknown()).optional(),
  }),
]);
export type TokenRequestWire = z.infer<typeof TokenRequestSchema>;

/** `POST /tokens` 200 body. A body without a string `jwt` is an auth failure. */
export const TokenResponseSchema = z.object({
  jwt: z.string().min(1),
  /** Unix epoch seconds. */
  expires_at: z.number().optional(),
});
export type TokenResponseWire = z.infer<typeof TokenResponseSchema>;

/** A token, camelCase. */
export interface TokenResponse {
  jwt: string;
  /** Expiry in ms since the Unix epoch, when the server said. */
  expiresAtMs?: number;
}

/** wire → API */
export function tokenResponseFromWire(wire: TokenResponseWire): TokenResponse {
  return { jwt: wire.jwt, ...(wire.expires_at !== undefined && { expiresAtMs: wire.expires_at * 1000 }) };
}
