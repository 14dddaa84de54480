/** The `reactor` command line: `connect`, `token`, `schema`, `clip`. */
import { CLIP_USAGE, clipCommand } from "./commands/clip.js";
import { CONNECT_USAGE, connectCommand } from "./commands/connect.js";
import { SCHEMA_USAGE, schemaCommand } from "./commands/schema.js";
import { TOKEN_USAGE, tokenCommand } from "./commands/token.js";
import { describeError, EXIT, exitCodeFor } from "./exit-codes.js";
import { CliError, type CliIo } from "./io.js";

const USAGE = `usage:
  ${CONNECT_USAGE}
  ${TOKEN_USAGE}
  ${SCHEMA_USAGE}
  ${CLIP_USAGE}
environment: REACTOR_API_KEY, REACTOR_API_URL, REACTOR_MODEL
exit codes: 0 ok, 1 failed, 2 bad usage, 3 auth, 4 version mismatch, 5 no GPU`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  connect: connectCommand,
  token: tokenCommand,
  schema: schemaCommand,
  clip: clipCommand,
};

/** Runs the CLI; resolves with the exit code and never throws. Errors are one line on stderr. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    (name === undefined ? io.stderr : io.stdout).write(`${USAGE}\n`);
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`reactor: unknown command '${name}' (expected connect, token, schema or clip)\n`);
    return EXIT.USAGE;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`reactor ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`reactor ${name}: ${describeError(error)}\n`);
    return exitCodeFor(error);
  }
}
