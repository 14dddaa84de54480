/**
 * API keys and the JWTs `POST /tokens` exchanges them for: HS256 signed with node:crypto,
 * checked on every hosted request, expiry honoured, lifetime capped at 6 h like the service.
 * A token asked for with `authorization_details` is session-scoped: it may create sessions only
 * on its models (at most `max_sessions`) and act only on the sessions it created (403 otherwise).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { TOKEN_MAX_LIFETIME_S, type TokenRequestWire } from "@reactor-node/protocol";
import { type FaultSpec, parseFaults } from "../faults/spec.js";
import { HttpError } from "./http.js";

/** Lifetime of a token when the request names none. */
export const DEFAULT_TOKEN_LIFETIME_S = 60 * 60;

/** Claims the fake coordinator puts in its tokens. */
export interface TokenClaims {
  /** The API key's id (never the key). */
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  /** Faults every request and session made with this token carries (a testkit extension). */
  testkit_faults?: FaultSpec[];
  /** Set for a session-scoped token: the models it may create sessions on, and how many. */
  scope?: { models: string[]; max_sessions?: number };
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** Issues and verifies tokens for a set of API keys. */
export class Authority {
  private readonly secret = randomBytes(32);
  private readonly keys = new Map<string, string>();
  /** Tokens revoked by tests (`mock.revokeTokens()`), by `iat` cut-off. */
  private notBefore = 0;
  /** Sessions created per scoped token (by `jti`), until the token expires. */
  private readonly sessionsByToken = new Map<string, { count: number; exp: number }>();

  constructor(apiKeys: readonly string[]) {
    apiKeys.forEach((key, i) => {
      this.keys.set(key, `key_${i + 1}`);
    });
  }

  /** A fresh random API key in the service's `rk_` format. */
  static generateKey(): string {
    return `rk_test_${randomBytes(18).toString("base64url")}`;
  }

  /** Adds an API key. */
  addKey(key: string): void {
    if (!this.keys.has(key)) this.keys.set(key, `key_${this.keys.size + 1}`);
  }

  /** Exchanges an API key for a token (`POST /tokens` body: lifetime capped at 6 h, optional scope). */
  issue(
    apiKey: string | undefined,
    request: TokenRequestWire | undefined,
    faults: FaultSpec[] = [],
    nowMs = Date.now(),
  ): { jwt: string; expires_at: number } {
    if (!apiKey) throw new HttpError(401, "Missing Reactor-API-Key header");
    const sub = this.keys.get(apiKey);
    if (!sub) throw new HttpError(401, "Invalid API key");
    const iat = Math.floor(nowMs / 1000);
    const lifetime = Math.min(request?.expires_after ?? DEFAULT_TOKEN_LIFETIME_S, TOKEN_MAX_LIFETIME_S);
    const details = request?.authorization_details ?? [];
    const maxSessions = details.map((d) => d.constraints?.max_sessions).filter((n) => n !== undefined);
    const claims: TokenClaims = {
      sub,
      iat,
      exp: iat + lifetime,
      jti: randomBytes(8).toString("hex"),
      ...(faults.length > 0 && { testkit_faults: faults }),
      ...(details.length > 0 && {
        scope: {
          models: [...new Set(details.flatMap((d) => d.resources.models.match))],
          ...(maxSessions.length > 0 && { max_sessions: Math.min(...maxSessions) }),
        },
      }),
    };
    const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const body = b64url(JSON.stringify(claims));
    const sig = createHmac("sha256", this.secret).update(`${head}.${body}`).digest("base64url");
    return { jwt: `${head}.${body}.${sig}`, expires_at: claims.exp };
  }

  /** Verifies `Authorization: Bearer <jwt>`; throws a 401 HttpError naming the problem. */
  verify(authorization: string | undefined, nowMs = Date.now()): TokenClaims {
    if (!authorization) throw new HttpError(401, "Missing Authorization header");
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) throw new HttpError(401, "Authorization header must be 'Bearer <jwt>'");
    const parts = m[1]!.split(".");
    if (parts.length !== 3) throw new HttpError(401, "Malformed JWT");
    const [head, body, sig] = parts as [string, string, string];
    const expected = createHmac("sha256", this.secret).update(`${head}.${body}`).digest();
    const given = Buffer.from(sig, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpError(401, "Invalid JWT signature");
    }
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TokenClaims;
    } catch {
      throw new HttpError(401, "Malformed JWT claims");
    }
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= nowMs) throw new HttpError(401, "JWT expired");
    if (claims.iat < this.notBefore) throw new HttpError(401, "JWT revoked");
    try {
      claims.testkit_faults = parseFaults(claims.testkit_faults);
    } catch {
      throw new HttpError(401, "Malformed JWT claims");
    }
    return claims;
  }

  /** The claims of a valid token, or undefined (never throws). */
  peek(authorization: string | undefined, nowMs = Date.now()): TokenClaims | undefined {
    try {
      return authorization ? this.verify(authorization, nowMs) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Counts one session created with a scoped token; false (and nothing counted) once its
   * `max_sessions` is spent. Entries of expired tokens are dropped, so the map stays bounded.
   */
  reserveSession(claims: TokenClaims, nowMs = Date.now()): boolean {
    const max = claims.scope?.max_sessions;
    if (max === undefined) return true;
    for (const [jti, entry] of this.sessionsByToken) if (entry.exp * 1000 <= nowMs) this.sessionsByToken.delete(jti);
    const entry = this.sessionsByToken.get(claims.jti) ?? { count: 0, exp: claims.exp };
    if (entry.count >= max) return false;
    entry.count++;
    this.sessionsByToken.set(claims.jti, entry);
    return true;
  }

  /** Revokes every token issued so far. */
  revokeAll(nowMs = Date.now()): void {
    this.notBefore = Math.floor(nowMs / 1000) + 1;
  }
}
