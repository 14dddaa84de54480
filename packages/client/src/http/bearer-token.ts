/**
 * Where the `Authorization: Bearer` token of each coordinator request comes from
 * (docs/protocol.md §1). The sources themselves (a fixed JWT, a user function, an API key
 * exchanged at `POST /tokens`) live in `auth/`, which builds on `http/`; this module is what
 * `http/` needs of them, so the two folders import one way only.
 */

/** Resolves the token to send with each request. */
export interface JwtSource {
  /** The token for the next request; an empty string means "no Authorization header". Honours `signal`. */
  resolve(signal?: AbortSignal): Promise<string>;
}
