import type { ReactorMessage } from "@reactor-node/client";
import { listCommands, listModelMessages, type ModelSchemaDocument } from "@reactor-node/protocol";
import { parseFlags, positiveNumber, resolveTarget } from "../args.js";
import { EXIT } from "../exit-codes.js";
import { CliError, type CliIo } from "../io.js";
import { connectForCli, waitFor } from "../session.js";

export const SCHEMA_USAGE = "reactor schema --model NAME [--api-url URL] [--local] [--timeout S] [--json]";

/** How long to wait for `modelSchema` after the session is ready. */
const SCHEMA_WAIT_MS = 10_000;

/** `reactor schema`: connects, waits for the model's schema and prints its commands. */
export async function schemaCommand(argv: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, { timeout: { value: true } });
  if (flags.help) {
    io.stdout.write(`${SCHEMA_USAGE}\n`);
    return 0;
  }
  const target = resolveTarget(flags, io.env);
  const reactor = await connectForCli(target, positiveNumber("timeout", flags.timeout, 180));
  try {
    const doc =
      (reactor.getSchema() as ModelSchemaDocument | undefined) ??
      ((
        await waitFor<ReactorMessage>(
          (l) => reactor.on("runtime_message", l),
          (m) => m.type === "modelSchema",
          SCHEMA_WAIT_MS,
        )
      )?.data as ModelSchemaDocument | undefined);
    if (!doc) throw new CliError(`the model sent no schema within ${SCHEMA_WAIT_MS / 1000} s`, EXIT.FAILED);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify(doc)}\n`);
      return 0;
    }
    io.stdout.write(`model ${target.modelName}: ${doc.info?.description ?? ""}\n`);
    for (const command of listCommands(doc)) {
      const params = command.parameters.map((p) => {
        const constraint = [
          p.enum ? `one of ${p.enum.join("|")}` : "",
          p.minimum !== undefined || p.maximum !== undefined ? `${p.minimum ?? ""}..${p.maximum ?? ""}` : "",
          p.maxLength !== undefined ? `≤${p.maxLength} chars` : "",
        ].filter(Boolean);
        return `${p.name}${p.required ? "" : "?"}: ${p.type}${constraint.length ? ` (${constraint.join(", ")})` : ""}`;
      });
      io.stdout.write(`  ${command.name}(${params.join(", ")})${command.summary ? `  — ${command.summary}` : ""}\n`);
    }
    const messages = listModelMessages(doc);
    if (messages.length) io.stdout.write(`messages: ${messages.join(", ")}\n`);
    return 0;
  } finally {
    await reactor.disconnect();
  }
}
