/**
 * The Bearer token a `Reactor` sends, chosen per `connect()`: a JWT passed to that call (the
 * official JS SDK's `connect(jwt)`) wins for it and the reconnects that follow; otherwise the
 * constructor's `jwt`; otherwise the API key, exchanged for a token **scoped to the model** when
 * the call creates a session and an unscoped one when it adopts a session (a scoped token cannot
 * reach a session it did not create), as Python 1.x does. Each kind of token is cached on its own.
 * Time spent resolving is reported, for the connection timings.
 */
import { apiKeyJwtSource, type JwtInput, jwtSourceFrom } from "../auth/jwt-source.js";
import type { JwtSource } from "../http/bearer-token.js";
import type { Logger } from "../logger.js";

/** Options of {@link Credentials}. */
export interface CredentialsOptions {
  apiKey: string | undefined;
  jwt: JwtInput | undefined;
  apiUrl: string;
  modelName: string;
  timeoutMs: number | undefined;
  logger: Logger;
  /** Called with the duration of every resolution. */
  onResolved(ms: number): void;
}

/** See the file comment. */
export class Credentials implements JwtSource {
  private readonly fixed: JwtSource | undefined;
  private scoped: JwtSource | undefined;
  private unscoped: JwtSource | undefined;
  private current: JwtSource | undefined;

  constructor(private readonly options: CredentialsOptions) {
    this.fixed = options.jwt !== undefined ? jwtSourceFrom(options.jwt) : undefined;
    this.current = this.fixed;
  }

  /** True when some credential exists (the constructor's, or one given to `connect`). */
  get present(): boolean {
    return this.current !== undefined || this.options.apiKey !== undefined;
  }

  /** Picks the token source for a connect that `adopts` an existing session or creates one. */
  forConnect(jwt: JwtInput | undefined, adopts: boolean): void {
    if (jwt !== undefined) this.current = jwtSourceFrom(jwt);
    else if (this.fixed) this.current = this.fixed;
    else if (this.options.apiKey !== undefined) this.current = adopts ? this.unscopedSource() : this.scopedSource();
  }

  async resolve(signal?: AbortSignal): Promise<string> {
    if (!this.present) return "";
    const source = this.current ?? this.scopedSource();
    const start = performance.now();
    try {
      return await source.resolve(signal);
    } finally {
      this.options.onResolved(performance.now() - start);
    }
  }

  private scopedSource(): JwtSource {
    this.scoped ??= this.apiKeySource([this.options.modelName]);
    return this.scoped;
  }

  private unscopedSource(): JwtSource {
    this.unscoped ??= this.apiKeySource(undefined);
    return this.unscoped;
  }

  private apiKeySource(models: string[] | undefined): JwtSource {
    const { apiKey, apiUrl, timeoutMs, logger } = this.options;
    return apiKeyJwtSource(apiKey ?? "", apiUrl, {
      logger,
      ...(timeoutMs !== undefined && { timeoutMs }),
      ...(models !== undefined && { scope: { models } }),
    });
  }
}
