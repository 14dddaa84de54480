/**
 * File uploads (docs/protocol.md §3 #6–7, §5): reserve a slot with `POST /sessions/{id}/uploads`,
 * `PUT` the bytes to the presigned URL (Content-Length set, no auth, streamed), then tell the
 * GPU with runtime `fileUploaded`. The returned {@link FileRef} goes into command data.
 */
import {
  abortError,
  errorFromHttpStatus,
  FileRef,
  inOperation,
  isReactorError,
  reactorError,
  UPLOAD_URL_VALIDITY_MS,
} from "@reactor-node/protocol";
import type { Coordinator } from "../http/coordinator.js";
import { resolveServerUrl } from "../http/url.js";
import { resolveUploadSource, type UploadInput, type UploadProgress } from "./upload-source.js";

/** Options of `uploadFile()`. */
export interface UploadOptions {
  /** File name sent to the service (default: the path's base name, the Blob's name, or `upload.bin`). */
  name?: string;
  /** MIME type (default: from the Blob or the name's extension). */
  mimeType?: string;
  signal?: AbortSignal;
  /** Called after each chunk is handed to the socket. */
  onProgress?: (progress: UploadProgress) => void;
  /** Upper bound for the PUT (default: the presigned URL's 15-minute validity). */
  timeoutMs?: number;
}

/** What an upload needs from the session. */
export interface UploadContext {
  coordinator: Coordinator;
  sessionId: string;
  /** Tells the GPU the upload is complete (`fileUploaded`; throws typed errors when it cannot). */
  announce(ref: FileRef): void;
}

/**
 * Uploads `input` and returns its FileRef. Rejects with typed errors tagged `operation:
 * "upload"`: the PUT's HTTP failure keeps its status's code (SERVER_ERROR, UNAUTHORIZED for an
 * expired URL…), a failed socket is NETWORK_ERROR, a slow one TIMEOUT.
 */
export async function uploadFile(
  context: UploadContext,
  input: UploadInput,
  options: UploadOptions = {},
): Promise<FileRef> {
  try {
    return await upload(context, input, options);
  } catch (error) {
    throw isReactorError(error)
      ? inOperation(error, "upload")
      : reactorError("NETWORK_ERROR", `Upload failed: ${String(error)}`, { cause: error, operation: "upload" });
  }
}

async function upload(context: UploadContext, input: UploadInput, options: UploadOptions): Promise<FileRef> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal, "Upload");
  const source = await resolveUploadSource(input, options);
  if (source.size <= 0) throw reactorError("INVALID_ARGUMENT", `Cannot upload '${source.name}': it is empty`);
  const slot = await context.coordinator.createUploadSlot(
    context.sessionId,
    { name: source.name, size: source.size, mime_type: source.mimeType },
    signal,
  );
  const url = resolveServerUrl(context.coordinator.baseUrl, slot.url);
  const timeoutMs = options.timeoutMs ?? UPLOAD_URL_VALIDITY_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const report = (sentBytes: number): void => options.onProgress?.({ sentBytes, totalBytes: source.size });
  let response: Response;
  try {
    response = await fetch(url, {
      method: "PUT",
      headers: { "Content-Type": source.mimeType, "Content-Length": String(source.size) },
      body: source.chunks(combined, report) as unknown as RequestInit["body"],
      duplex: "half",
      signal: combined,
    } as RequestInit & { duplex: "half" });
    await response.body?.cancel().catch(() => {});
  } catch (error) {
    if (signal?.aborted) throw abortError(signal, "Upload");
    if (timeout.aborted) throw reactorError("TIMEOUT", `Upload of '${source.name}' took longer than ${timeoutMs} ms`);
    if (isReactorError(error)) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw reactorError("NETWORK_ERROR", `Uploading '${source.name}' failed: ${detail}`, { cause: error });
  }
  if (!response.ok) {
    throw errorFromHttpStatus({
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      request: `PUT upload of '${source.name}'`,
    });
  }
  const ref = new FileRef({ uploadId: slot.uploadId, name: source.name, mimeType: source.mimeType, size: source.size });
  context.announce(ref);
  return ref;
}
