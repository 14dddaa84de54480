/**
 * Named scenarios: JSON files in `packages/testkit/scenarios/<name>.json`, each
 * `{description, faults?, timings?, gpus?, models?}`, loadable by name from the API
 * (`startMockReactor({scenario})`) and the CLI (`--scenario`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describeIssues, reactorError } from "@reactor-node/protocol";
import { z } from "zod";
import { FaultSpecSchema } from "./faults/spec.js";
import { ModelConfigSchema } from "./model/config.js";

/** Where the scenario files live (the package's `scenarios/`, beside `src/` and `dist/`). */
export const SCENARIOS_DIR = fileURLToPath(new URL("../scenarios/", import.meta.url));

/** A scenario file. */
export const ScenarioSchema = z.strictObject({
  description: z.string(),
  faults: z.array(FaultSpecSchema).default([]),
  timings: z
    .strictObject({
      pendingDelayMs: z.number().int().nonnegative().optional(),
      queueDelayMs: z.number().int().nonnegative().optional(),
      answerDelayMs: z.number().int().nonnegative().optional(),
      reconnectWindowMs: z.number().int().nonnegative().optional(),
      idleTimeoutMs: z.number().int().positive().optional(),
      iceGatherTimeoutMs: z.number().int().nonnegative().optional(),
    })
    .default({}),
  gpus: z.number().int().nonnegative().optional(),
  models: z.array(ModelConfigSchema).optional(),
});
/** A parsed scenario. */
export type Scenario = z.infer<typeof ScenarioSchema> & { name: string };

/** Names of the scenarios shipped with the package, sorted. */
export function listScenarios(dir = SCENARIOS_DIR): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

/** Loads a scenario by name; throws INVALID_ARGUMENT for an unknown or malformed one. */
export function loadScenario(name: string, dir = SCENARIOS_DIR): Scenario {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw reactorError("INVALID_ARGUMENT", `invalid scenario name '${name}'`);
  let text: string;
  try {
    text = readFileSync(`${dir}/${name}.json`, "utf8");
  } catch {
    throw reactorError(
      "INVALID_ARGUMENT",
      `unknown scenario '${name}' (known: ${listScenarios(dir).join(", ") || "none"})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw reactorError("INVALID_ARGUMENT", `scenario '${name}' is not valid JSON`, { cause });
  }
  const parsed = ScenarioSchema.safeParse(json);
  if (!parsed.success) {
    throw reactorError("INVALID_ARGUMENT", `scenario '${name}': ${describeIssues(parsed.error, { max: 1 })}`);
  }
  return { ...parsed.data, name };
}
