import { z } from "zod";

/**
 * One `authorization_details` entry (§1): a session-scoped token may only create sessions on the
 * models it names (at most `max_sessions` of them, ever) and act on the sessions it created.
 */
export const SessionAuthorizationSchema = z.object({
  type: z.literal("session"),
  resources: z.object({ models: z.object({ match: z.array(z.string().min(1)).min(1) }) }),
  constraints: z.object({ max_sessions: z.number().int().positive().optional() }).optional(),
});
export type SessionAuthorizationWire = z.infer<typeof SessionAuthorizationSchema>;

/** `POST /tokens` body: `null` (an unscoped token) or `{expires_after?, authorization_details?}` (§1). */
export const TokenRequestSchema = z.union([
  z.null(),
  z.object({
    expires_after: z.number().int().positive().optional(),
    authorization_details: z.array(SessionAuthorizationSchema).optional(),
  }),
]);
export type TokenRequestWire = z.infer<typeof TokenRequestSchema>;

/** What a token is for, camelCase: omit `models` for a token with every permission of the key. */
export interface TokenScope {
  /** Scope the token to sessions on these models (and the sessions it creates). */
  models?: readonly string[];
  /** A scoped token may create at most this many sessions (ignored without `models`). */
  maxSessions?: number;
  /** Requested lifetime in seconds (the service caps it at 6 h). */
  expiresAfter?: number;
}

/** API → wire: `null` for an unscoped token with the default lifetime, as the official clients send. */
export function tokenRequestToWire(scope: TokenScope = {}): TokenRequestWire {
  const body: NonNullable<TokenRequestWire> = {};
  if (scope.models !== undefined) {
    body.authorization_details = [
      {
        type: "session",
        resources: { models: { match: [...scope.models] } },
        ...(scope.maxSessions !== undefined && { constraints: { max_sessions: scope.maxSessions } }),
      },
    ];
  }
  if (scope.expiresAfter !== undefined) body.expires_after = scope.expiresAfter;
  return Object.keys(body).length > 0 ? body : null;
}

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
