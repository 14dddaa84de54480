/**
 * What `uploadFile()` accepts — a file path (streamed with `fs.createReadStream`, never read
 * whole), a Buffer/Uint8Array or a Blob — normalised to a name, MIME type, exact size and a
 * chunk stream that reports progress.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { reactorError } from "@reactor-node/protocol";

/** Anything `uploadFile()` can send. */
export type UploadInput = string | URL | Uint8Array | Blob;

/** Progress of an upload. */
export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
}

/** An input ready to send. */
export interface UploadSource {
  name: string;
  mimeType: string;
  size: number;
  /** The bytes, in chunks; `onChunk` sees the running total. */
  chunks(signal: AbortSignal | undefined, onChunk: (sentBytes: number) => void): AsyncIterable<Uint8Array>;
}

/** Default name of an upload without one (buffers and unnamed blobs). */
const DEFAULT_UPLOAD_NAME = "upload.bin";
/** Default MIME type when neither the caller nor the name says. */
const DEFAULT_MIME_TYPE = "application/octet-stream";
/** Chunk size when sending an in-memory buffer (so progress moves). */
const BUFFER_CHUNK_BYTES = 64 * 1024;

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".bmp": "image/bmp",
  ".svg": "image/svg+xml",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".mov": "video/quicktime",
  ".mp3": "audio/mpeg",
  ".wav": "audio/wav",
  ".ogg": "audio/ogg",
  ".json": "application/json",
  ".txt": "text/plain",
  ".pdf": "application/pdf",
};

/** MIME type from a file name's extension, or the default. */
function mimeTypeOf(name: string): string {
  return MIME_BY_EXTENSION[extname(name).toLowerCase()] ?? DEFAULT_MIME_TYPE;
}

/** Normalises an input (stats a path; never reads it). */
export async function resolveUploadSource(
  input: UploadInput,
  options: { name?: string; mimeType?: string },
): Promise<UploadSource> {
  if (typeof input === "string" || input instanceof URL) {
    const path = input instanceof URL ? fileURLToPath(input) : input;
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error("not a regular file");
      size = info.size;
    } catch (cause) {
      throw reactorError("INVALID_ARGUMENT", `Cannot upload '${path}': ${(cause as Error).message}`, { cause });
    }
    const name = options.name ?? basename(path);
    return {
      name,
      mimeType: options.mimeType ?? mimeTypeOf(name),
      size,
      chunks: (signal, onChunk) => counted(createReadStream(path, { signal }), onChunk),
    };
  }
  if (input instanceof Uint8Array) {
    const name = options.name ?? DEFAULT_UPLOAD_NAME;
    const bytes = input;
    return {
      name,
      mimeType: options.mimeType ?? mimeTypeOf(name),
      size: bytes.byteLength,
      chunks: (_signal, onChunk) => counted(sliceBuffer(bytes), onChunk),
    };
  }
  if (typeof Blob !== "undefined" && input instanceof Blob) {
    const fileName = (input as Blob & { name?: unknown }).name;
    const name = options.name ?? (typeof fileName === "string" && fileName ? fileName : DEFAULT_UPLOAD_NAME);
    return {
      name,
      mimeType: options.mimeType ?? (input.type || mimeTypeOf(name)),
      size: input.size,
      chunks: (_signal, onChunk) => counted(input.stream() as unknown as AsyncIterable<Uint8Array>, onChunk),
    };
  }
  throw reactorError("INVALID_ARGUMENT", "uploadFile() takes a file path, a Buffer/Uint8Array or a Blob");
}

function* sliceBuffer(bytes: Uint8Array): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += BUFFER_CHUNK_BYTES) {
    yield bytes.subarray(offset, Math.min(offset + BUFFER_CHUNK_BYTES, bytes.byteLength));
  }
}

async function* counted(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
  onChunk: (sentBytes: number) => void,
): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    sent += bytes.byteLength;
    yield bytes;
    onChunk(sent);
  }
}
