/**
 * The model schema document (`modelSchema` runtime message; `GET /schema` in local mode):
 * OpenAPI 3.1 with commands under `paths["/events/<name>"].post`, model messages under
 * `webhooks`, tracks under `x-reactor.tracks` (model perspective). Pure helpers to list the
 * commands and to validate a command the way the GPU peer does (§5).
 */
import { z } from "zod";

const JsonSchemaObject = z.record(z.string(), z.unknown());

const OperationSchema = z.object({
  operationId: z.string().optional(),
  summary: z.string().optional(),
  description: z.string().optional(),
  requestBody: z
    .object({
      required: z.boolean().optional(),
      content: z.record(z.string(), z.object({ schema: JsonSchemaObject.optional() })).optional(),
    })
    .optional(),
});

/** Minimal shape of the model's OpenAPI document; everything else is tolerated. */
export const ModelSchemaDocumentSchema = z.object({
  openapi: z.string(),
  info: z
    .object({ title: z.string().optional(), version: z.string().optional(), description: z.string().optional() })
    .optional(),
  "x-reactor": z
    .object({
      tracks: z
        .array(z.object({ name: z.string(), kind: z.enum(["video", "audio"]), direction: z.enum(["in", "out"]) }))
        .optional(),
    })
    .optional(),
  paths: z.record(z.string(), z.object({ post: OperationSchema.optional() })).optional(),
  webhooks: z.record(z.string(), z.object({ post: OperationSchema.optional() })).optional(),
  components: z.object({ schemas: z.record(z.string(), JsonSchemaObject).optional() }).optional(),
});
/** The model schema document. */
export type ModelSchemaDocument = z.infer<typeof ModelSchemaDocumentSchema> & Record<string, unknown>;

/** Name of the component every upload field references. */
export const UPLOAD_REFERENCE_SCHEMA_NAME = "ReactorUploadReference";
const UPLOAD_REF = `#/components/schemas/${UPLOAD_REFERENCE_SCHEMA_NAME}`;
const EVENTS_PREFIX = "/events/";

/** One command parameter, flattened from the JSON schema. */
export interface CommandParameter {
  name: string;
  /** JSON-schema type, or "upload" for a ReactorUploadReference. */
  type: string;
  required: boolean;
  description?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
}

/** A command the model accepts. */
export interface CommandDescription {
  name: string;
  summary?: string;
  parameters: CommandParameter[];
}

function resolveRef(doc: ModelSchemaDocument, schema: Record<string, unknown>): Record<string, unknown> {
  const ref = schema.$ref;
  if (typeof ref !== "string" || ref === UPLOAD_REF) return schema;
  const name = ref.replace("#/components/schemas/", "");
  return (doc.components?.schemas?.[name] as Record<string, unknown> | undefined) ?? schema;
}

function bodySchema(doc: ModelSchemaDocument, op: z.infer<typeof OperationSchema>): Record<string, unknown> {
  const schema = op.requestBody?.content?.["application/json"]?.schema ?? { type: "object", properties: {} };
  return resolveRef(doc, schema);
}

/** Lists the commands in a model schema document, in document order. */
export function listCommands(doc: ModelSchemaDocument): CommandDescription[] {
  const out: CommandDescription[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith(EVENTS_PREFIX) || !item.post) continue;
    const body = bodySchema(doc, item.post);
    const props = (body.properties ?? {}) as Record<string, Record<string, unknown>>;
    const required = new Set((body.required as string[] | undefined) ?? []);
    out.push({
      name: path.slice(EVENTS_PREFIX.length),
      ...(item.post.summary !== undefined && { summary: item.post.summary }),
      parameters: Object.entries(props).map(([name, p]) => {
        const param: CommandParameter = {
          name,
          type: p.$ref === UPLOAD_REF ? "upload" : String(p.type ?? "any"),
          required: required.has(name),
        };
        for (const key of ["description", "enum", "minimum", "maximum", "minLength", "maxLength", "default"] as const) {
          if (p[key] !== undefined) (param as unknown as Record<string, unknown>)[key] = p[key];
        }
        return param;
      }),
    });
  }
  return out;
}

/** Lists the model → client message names (`webhooks`). */
export function listModelMessages(doc: ModelSchemaDocument): string[] {
  return Object.keys(doc.webhooks ?? {});
}

/** The GPU peer's verdict on a command (§5). */
export type CommandValidation = { ok: true } | { ok: false; code: "invalid_command"; reason: string };

function typeOfJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matchesType(expected: string, value: unknown): boolean {
  const actual = typeOfJson(value);
  if (expected === "number") return actual === "number" || actual === "integer";
  return expected === actual;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/**
 * Validates a command against the schema as the GPU peer does; the first failure wins, in the
 * order unknown command, unexpected argument, wrong type, constraint violated, missing
 * required argument. Upload parameters are looked up in `uploads`.
 */
export function validateCommand(
  doc: ModelSchemaDocument,
  type: string,
  data: Record<string, unknown>,
  uploads: Record<string, unknown> = {},
): CommandValidation {
  const fail = (reason: string): CommandValidation => ({ ok: false, code: "invalid_command", reason });
  const command = listCommands(doc).find((c) => c.name === type);
  if (!command) return fail(`unknown command '${type}'`);
  const params = new Map(command.parameters.map((p) => [p.name, p]));
  const args = { ...data, ...uploads };
  for (const name of Object.keys(args)) {
    if (!params.has(name)) return fail(`${name}: unexpected argument`);
  }
  for (const [name, value] of Object.entries(args)) {
    const p = params.get(name)!;
    if (p.type === "upload") {
      if (!(name in uploads)) return fail(`${name}: expected an upload reference`);
      continue;
    }
    if (p.type !== "any" && !matchesType(p.type, value))
      return fail(`${name}: expected ${p.type}, got ${typeOfJson(value)}`);
  }
  for (const [name, value] of Object.entries(args)) {
    const p = params.get(name)!;
    if (p.enum && !p.enum.includes(value))
      return fail(`${name}: ${JSON.stringify(value)} is not one of ${p.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    if (typeof value === "number") {
      if (p.minimum !== undefined && value < p.minimum) return fail(`${name}: ${value} < minimum ${fmt(p.minimum)}`);
      if (p.maximum !== undefined && value > p.maximum) return fail(`${name}: ${value} > maximum ${fmt(p.maximum)}`);
    }
    if (typeof value === "string") {
      if (p.minLength !== undefined && value.length < p.minLength)
        return fail(`${name}: length ${value.length} < minLength ${p.minLength}`);
      if (p.maxLength !== undefined && value.length > p.maxLength)
        return fail(`${name}: length ${value.length} > maxLength ${p.maxLength}`);
    }
  }
  for (const p of command.parameters) {
    if (p.required && !(p.name in args)) return fail(`${p.name}: missing required argument`);
  }
  return { ok: true };
}
