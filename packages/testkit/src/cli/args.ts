/** Flag parsing for the CLI: `--name value` / `--name=value` / boolean `--json`; errors are one line. */
import { FlagError, type FlagSpec, parseFlags as parseFlagList } from "@reactor-node/protocol/cli-flags";

/** A CLI usage error (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Declares the flags a command takes: `value: true` = takes a value, `false` = boolean; `repeat` = may repeat. */
export type { FlagSpec };

/** Parses `argv` against `spec` with the project's one flag parser; its errors are usage errors. */
export function parseFlags(argv: string[], spec: FlagSpec): Map<string, string[]> {
  try {
    return parseFlagList(argv, spec);
  } catch (error) {
    if (error instanceof FlagError) throw new UsageError(error.message);
    throw error;
  }
}

/** An integer flag within [min, max]. */
export function intFlag(flags: Map<string, string[]>, name: string, min: number, max: number): number | undefined {
  const raw = flags.get(name)?.[0];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got '${raw}'`);
  return n;
}

/** `--size WxH`. */
export function sizeFlag(flags: Map<string, string[]>): { width: number; height: number } | undefined {
  const raw = flags.get("size")?.[0];
  if (raw === undefined) return undefined;
  const m = /^(\d{2,5})x(\d{2,5})$/.exec(raw);
  if (!m) throw new UsageError(`--size must look like 640x360, got '${raw}'`);
  return { width: Number(m[1]), height: Number(m[2]) };
}
