/**
 * The one command-line flag parser of the project's two CLIs (`reactor` and `reactor-testkit`),
 * here because the protocol package is the only one both build on. Pure: no process access.
 * Published as `@reactor-node/protocol/cli-flags`, outside the wire API.
 */

/** The flags a command takes: `value` = takes a value, else boolean; `repeat` = may repeat; `short` = one-letter alias. */
export type FlagSpec = Record<string, { value: boolean; repeat?: boolean; short?: string }>;

/** A usage error, one line, naming the flag. */
export class FlagError extends Error {
  override readonly name = "FlagError";
}

/**
 * Parses `argv` against `spec`: `--name value`, `--name=value`, boolean `--name`, `-x` for a
 * short alias. Returns each given flag's values in order (booleans as `"true"`). Unknown flags,
 * missing or unexpected values, repeats of a non-repeatable flag and positional arguments are
 * {@link FlagError}s.
 */
export function parseFlags(argv: readonly string[], spec: FlagSpec): Map<string, string[]> {
  const shorts = new Map(
    Object.entries(spec).flatMap(([name, flag]) => (flag.short ? [[flag.short, name] as const] : [])),
  );
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = arg.slice(2, eq < 0 ? undefined : eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      const long = shorts.get(arg.slice(1));
      if (long === undefined) throw new FlagError(`Unknown option '${arg}'`);
      name = long;
    } else {
      throw new FlagError(`unexpected argument '${arg}'`);
    }
    const flag = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!flag) throw new FlagError(`Unknown option '--${name}'`);
    let value = "true";
    if (flag.value) {
      if (inline !== undefined) value = inline;
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("--")) throw new FlagError(`option '--${name}' needs a value`);
        value = next;
        i++;
      }
    } else if (inline !== undefined) {
      throw new FlagError(`option '--${name}' takes no value`);
    }
    const list = out.get(name) ?? [];
    if (list.length > 0 && !flag.repeat) throw new FlagError(`option '--${name}' given twice`);
    list.push(value);
    out.set(name, list);
  }
  return out;
}
