/** The golden vectors of both wires (kept in the protocol package, next to the captured runtime bodies). */
import { readFileSync } from "node:fs";
import { FileRef, isFileRef } from "@reactor-node/protocol";

/** A v0 vector (test/vectors/v0-messages.json). */
export interface V0Vector {
  name: string;
  direction: "client_to_server" | "server_to_client";
  channel: "data" | "control";
  encode?: Record<string, any>;
  wire: string;
  decoded: Record<string, any>;
}

/** A v1 vector (test/vectors/v1-messages.json). */
export interface V1Vector {
  name: string;
  /** The v0 vector of the same message. */
  twin?: string;
  /** Why the twins' decoded messages differ, when they do. */
  twinDiffers?: string;
  direction: "client_to_server" | "server_to_client";
  channel: "data" | "control";
  type: string;
  message?: Record<string, any>;
  proto: unknown;
  hex: string;
  decoded: Record<string, any>;
}

/** The v1 vector file. */
export interface V1Vectors {
  v0Only: Record<string, string>;
  frameMetadata: { name: string; type: string; proto: Record<string, string>; hex: string };
  vectors: V1Vector[];
}

const VECTORS = new URL("../../protocol/test/vectors/", import.meta.url);

/** A file of the protocol's test vectors (`runtime/…` for the captured runtime bodies). */
export function readVector(name: string): any {
  return JSON.parse(readFileSync(new URL(name, VECTORS), "utf8"));
}

export const v0Vectors: V0Vector[] = readVector("v0-messages.json");
export const v1Vectors: V1Vectors = readVector("v1-messages.json");

/** `{"$fileRef": {...}}` in a vector stands for a FileRef. */
export function revive(value: any): any {
  if (value && typeof value === "object" && "$fileRef" in value) return new FileRef(value.$fileRef);
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

/** FileRefs compare by their fields. */
export function plain(value: unknown): unknown {
  if (isFileRef(value))
    return { uploadId: value.uploadId, name: value.name, mimeType: value.mimeType, size: value.size };
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Bytes of a hex string. */
export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** Hex of bytes (or of a text frame's UTF-8). */
export function toHex(payload: string | Uint8Array): string {
  return Buffer.from(payload).toString("hex");
}
