/**
 * A model command as both wires send it (docs/protocol.md §5, §9): every top-level FileRef in
 * `data` moves into `uploads` under its parameter name; the rest must be JSON (see json.ts).
 */
import { reactorError } from "../errors.js";
import { type FileRef, isFileRef, type UploadReferenceWire } from "../file-ref.js";
import { isPlainObject, type JsonObject, setOwn, type ToJsonOptions, toJsonObject } from "./json.js";

/** A command split into its JSON data and its upload references. */
export interface CommandParts {
  type: string;
  data: JsonObject;
  /** Upload references by parameter name; empty when the command has none. */
  uploads: Record<string, UploadReferenceWire>;
}

/**
 * Validates and splits a command. Throws INVALID_ARGUMENT for an empty type, data that is not
 * a plain object, or values JSON cannot carry.
 */
export function commandParts(
  type: string,
  data: Record<string, unknown> = {},
  uploads: Record<string, FileRef> = {},
  options: ToJsonOptions = {},
): CommandParts {
  if (typeof type !== "string" || type.length === 0) {
    throw reactorError("INVALID_ARGUMENT", "Command type must be a non-empty string");
  }
  if (!isPlainObject(data)) throw reactorError("INVALID_ARGUMENT", `Command '${type}' data must be a plain object`);
  const plain: Record<string, unknown> = {};
  const refs: Record<string, UploadReferenceWire> = {};
  for (const [key, value] of Object.entries(data)) {
    if (isFileRef(value)) setOwn(refs, key, value.toWire());
    else setOwn(plain, key, value);
  }
  for (const [key, ref] of Object.entries(uploads)) {
    if (!isFileRef(ref)) throw reactorError("INVALID_ARGUMENT", `Command '${type}' upload '${key}' is not a FileRef`);
    delete plain[key];
    setOwn(refs, key, ref.toWire());
  }
  return { type, data: toJsonObject(plain, `Command '${type}'`, options), uploads: refs };
}
