import { fetchJwtToken } from "@reactor-node/client";
import { parseFlags, requireApiKey, resolveTarget } from "../args.js";
import type { CliIo } from "../io.js";

export const TOKEN_USAGE = "reactor token [--api-key rk_...] [--api-url URL] [--json]";

/** `reactor token`: exchanges the API key for a JWT and prints it. */
export async function tokenCommand(argv: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, {});
  if (flags.help) {
    io.stdout.write(`${TOKEN_USAGE}\n`);
    return 0;
  }
  const target = resolveTarget(flags, io.env);
  const jwt = await fetchJwtToken(requireApiKey(target), target.apiUrl);
  io.stdout.write(flags.json ? `${JSON.stringify({ jwt })}\n` : `${jwt}\n`);
  return 0;
}
