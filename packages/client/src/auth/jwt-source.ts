/**
 * Where the Bearer token comes from (docs/protocol.md §1): a fixed JWT, a function returning one
 * (resolved before every request, so short-lived tokens refresh naturally), or an API key
 * exchanged at `POST /tokens` and cached until shortly before it expires.
 */
import {
  buildRequestHeaders,
  DEFAULT_API_URL,
  inOperation,
  isReactorError,
  type ReactorError,
  reactorError,
  routes,
  type TokenResponse,
  TokenResponseSchema,
  tokenResponseFromWire,
} from "@reactor-node/protocol";
import { raceAbort } from "../abort.js";
import { fetchJson, type HttpOptions } from "../http/fetch-json.js";
import { joinUrl } from "../http/url.js";

/** A JWT, or a function returning (a promise of) one. An empty string sends no Authorization header. */
export type JwtInput = string | (() => string | Promise<string>);

/** Refresh a cached API-key token this long before it expires. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;
/** Without an `expires_at`, reuse an API-key token for this long (our choice; the service caps tokens at 6 h). */
export const TOKEN_DEFAULT_REUSE_MS = 5 * 60_000;

/** Options of {@link fetchJwtToken}. */
export interface FetchJwtTokenOptions extends HttpOptions {
  signal?: AbortSignal;
}

/** Exchanges an API key for a token, returning the expiry too. Rejects with a typed error naming the status. */
export async function requestToken(
  apiKey: string,
  apiUrl: string = DEFAULT_API_URL,
  options: FetchJwtTokenOptions = {},
): Promise<TokenResponse> {
  if (typeof apiKey !== "string" || apiKey.length === 0) {
    throw reactorError("INVALID_ARGUMENT", "fetchJwtToken needs a non-empty API key");
  }
  try {
    const result = await fetchJson<import("zod").infer<typeof TokenResponseSchema>>({
      method: "POST",
      url: joinUrl(apiUrl, routes.tokens()),
      headers: buildRequestHeaders({ apiKey, json: true }),
      json: null,
      expect: { 200: TokenResponseSchema, 201: TokenResponseSchema },
      request: "POST /tokens",
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
    });
    return tokenResponseFromWire(result.body);
  } catch (error) {
    throw authFailure(error);
  }
}

/**
 * Fetches a JWT from the Reactor API using an API key (the seed's `fetch_jwt_token`). Usually
 * not needed: pass `apiKey` to `Reactor` and it exchanges it during `connect()`.
 */
export async function fetchJwtToken(
  apiKey: string,
  apiUrl: string = DEFAULT_API_URL,
  options: FetchJwtTokenOptions = {},
): Promise<string> {
  try {
    return (await requestToken(apiKey, apiUrl, options)).jwt;
  } catch (error) {
    throw inOperation(error as ReactorError, "token");
  }
}

// A 200 without a string `jwt` is an auth failure, not a protocol glitch (§1).
function authFailure(error: unknown): ReactorError {
  if (isReactorError(error) && error.code === "INVALID_RESPONSE") {
    return reactorError("UNAUTHORIZED", `Token exchange failed: ${error.message}`, { cause: error });
  }
  return error as ReactorError;
}

/** Resolves the token to send with each request. */
export interface JwtSource {
  /** The token for the next request; an empty string means "no Authorization header". */
  resolve(signal?: AbortSignal): Promise<string>;
}

/** A source for a fixed JWT or a user function (called before every request). */
export function jwtSourceFrom(input: JwtInput): JwtSource {
  return {
    async resolve() {
      let value: unknown;
      try {
        value = typeof input === "function" ? await input() : input;
      } catch (cause) {
        throw reactorError("UNAUTHORIZED", `The jwt function failed: ${(cause as Error)?.message ?? cause}`, { cause });
      }
      if (typeof value !== "string") {
        throw reactorError("INVALID_ARGUMENT", `The jwt function returned ${typeof value}, expected a string`);
      }
      return value;
    },
  };
}

/** A source that exchanges an API key and reuses the token until {@link TOKEN_REFRESH_MARGIN_MS} before expiry. */
export function apiKeyJwtSource(
  apiKey: string,
  apiUrl: string,
  options: HttpOptions & { now?: () => number } = {},
): JwtSource {
  const now = options.now ?? Date.now;
  let cached: { jwt: string; refreshAt: number } | undefined;
  let inflight: Promise<string> | undefined;
  return {
    async resolve(signal) {
      if (cached && now() < cached.refreshAt) return cached.jwt;
      // Concurrent callers share one exchange; a caller's abort only stops its own wait.
      inflight ??= requestToken(apiKey, apiUrl, options)
        .then((token) => {
          const expires = token.expiresAtMs ?? now() + TOKEN_DEFAULT_REUSE_MS + TOKEN_REFRESH_MARGIN_MS;
          cached = { jwt: token.jwt, refreshAt: expires - TOKEN_REFRESH_MARGIN_MS };
          return token.jwt;
        })
        .finally(() => {
          inflight = undefined;
        });
      return raceAbort(inflight, signal, "Token exchange");
    },
  };
}
