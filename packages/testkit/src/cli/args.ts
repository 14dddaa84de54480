/** Flag parsing for the CLI: `--name value` / `--name=value` / boolean `--json`; errors are one line. */

/** A CLI usage error (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Declares the flags a command takes: `true` = takes a value, `false` = boolean; `repeat` = may repeat. */
export type FlagSpec = Record<string, { value: boolean; repeat?: boolean }>;

/** Parses `argv` against `spec`. */
export function parseFlags(argv: string[], spec: FlagSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const flag = spec[name];
    if (!flag) throw new UsageError(`unknown flag --${name}`);
    let value = "true";
    if (flag.value) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else {
        const next = argv[++i];
        if (next === undefined || next.startsWith("--")) throw new UsageError(`--${name} needs a value`);
        value = next;
      }
    } else if (eq >= 0) throw new UsageError(`--${name} takes no value`);
    const list = out.get(name) ?? [];
    if (list.length > 0 && !flag.repeat) throw new UsageError(`--${name} given twice`);
    list.push(value);
    out.set(name, list);
  }
  return out;
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
