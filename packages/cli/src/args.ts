import { DEFAULT_API_URL } from "@reactor-node/protocol";
import { FlagError, type FlagSpec, parseFlags as parseFlagList } from "@reactor-node/protocol/cli-flags";
import { EXIT } from "./exit-codes.js";
import { CliError } from "./io.js";

/** Where to connect and as whom, from flags first, then the environment. */
export interface Target {
  apiUrl: string;
  apiKey: string | undefined;
  modelName: string | undefined;
  local: boolean;
}

/** Flag values: strings (or string lists for repeatable flags) and booleans. */
export type ParsedFlags<T> = {
  "api-url"?: string;
  "api-key"?: string;
  model?: string;
  local?: boolean;
  json?: boolean;
  help?: boolean;
} & {
  [K in keyof T]?: T[K] extends { value: false } ? boolean : T[K] extends { repeat: true } ? string[] : string;
};

const COMMON = {
  "api-url": { value: true },
  "api-key": { value: true },
  model: { value: true },
  local: { value: false },
  json: { value: false },
  help: { value: false, short: "h" },
} as const satisfies FlagSpec;

/** Parses flags strictly (the project's one parser): an unknown flag or a missing value is a usage error (exit 2). */
export function parseFlags<T extends FlagSpec>(argv: string[], extra: T): ParsedFlags<T> {
  const spec: FlagSpec = { ...COMMON, ...extra };
  let given: Map<string, string[]>;
  try {
    given = parseFlagList(argv, spec);
  } catch (error) {
    if (error instanceof FlagError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
  const values: Record<string, string | string[] | boolean> = {};
  for (const [name, list] of given) {
    const flag = spec[name];
    values[name] = !flag?.value ? true : flag.repeat ? list : (list[0] as string);
  }
  return values as ParsedFlags<T>;
}

/** Resolves the target from flags and `REACTOR_API_URL`, `REACTOR_API_KEY`, `REACTOR_MODEL`. */
export function resolveTarget(
  values: { "api-url"?: string; "api-key"?: string; model?: string; local?: boolean },
  env: Record<string, string | undefined>,
): Target {
  const local = values.local ?? false;
  return {
    apiUrl: values["api-url"] ?? (env.REACTOR_API_URL || (local ? "http://localhost:8080" : DEFAULT_API_URL)),
    apiKey: values["api-key"] ?? (env.REACTOR_API_KEY || undefined),
    modelName: values.model ?? (env.REACTOR_MODEL || undefined),
    local,
  };
}

/** Requires an API key unless in local mode. */
export function requireApiKey(target: Target): string {
  if (target.apiKey) return target.apiKey;
  throw new CliError("no API key: set REACTOR_API_KEY or pass --api-key rk_...", EXIT.AUTH);
}

/** Requires a model name. */
export function requireModel(target: Target): string {
  if (target.modelName) return target.modelName;
  throw new CliError("no model: pass --model NAME or set REACTOR_MODEL", EXIT.USAGE);
}

/** Parses a positive number flag. */
export function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`--${name} must be a positive number, got '${value}'`, EXIT.USAGE);
  return n;
}

/** Parses `--command 'name={"json":"args"}'` (or just `name`). */
export function parseCommand(text: string): { type: string; data: Record<string, unknown> } {
  const eq = text.indexOf("=");
  const type = (eq === -1 ? text : text.slice(0, eq)).trim();
  if (!/^[A-Za-z_][\w.-]*$/.test(type)) {
    throw new CliError(`--command needs name={"json":"args"}, got '${text}'`, EXIT.USAGE);
  }
  if (eq === -1) return { type, data: {} };
  let data: unknown;
  try {
    data = JSON.parse(text.slice(eq + 1));
  } catch (error) {
    throw new CliError(`--command ${type}: arguments are not JSON (${(error as Error).message})`, EXIT.USAGE);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new CliError(`--command ${type}: arguments must be a JSON object`, EXIT.USAGE);
  }
  return { type, data: data as Record<string, unknown> };
}
