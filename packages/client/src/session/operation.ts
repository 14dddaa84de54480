import type { ConnectKind } from "../errors.js";

/** What a connect/reconnect body gets from the state machine. */
export interface OperationContext {
  /** Which call this is (it names the errors the body reports). */
  kind: ConnectKind;
  /** Aborted by `disconnect()`, a newer operation or the caller's signal. */
  signal: AbortSignal;
  /** False once a newer operation (or `disconnect()`) took over: stale results must be dropped. */
  isCurrent(): boolean;
}
