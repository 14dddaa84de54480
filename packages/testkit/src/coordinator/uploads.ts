/**
 * Upload slots (`POST /sessions/{id}/uploads`) and the presigned PUT they name, served by the
 * testkit itself (`PUT /uploads/{id}`, no auth, exact size, 15 min validity), mirroring the
 * runtime's answers: 400 size mismatch, 404 unknown, 409 already complete.
 */
import { randomUUID } from "node:crypto";
import { reactorError, UPLOAD_URL_VALIDITY_MS, uploadPath } from "@reactor-node/protocol";
import { HttpError } from "./http.js";

/** Largest upload slot the fake service grants. */
export const UPLOAD_MAX_BYTES = 64 * 1024 * 1024;

/** One upload slot. */
export interface Upload {
  id: string;
  sessionId: string;
  name: string;
  size: number;
  mimeType: string;
  expiresAt: number;
  data: Buffer | null;
}

/** All upload slots of a coordinator. */
export class UploadStore {
  private readonly uploads = new Map<string, Upload>();
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Creates a slot; the id is a dash-less UUID like the runtime's. */
  create(sessionId: string, name: string, size: number, mimeType: string, baseUrl: string) {
    if (size > UPLOAD_MAX_BYTES) throw new HttpError(413, `size ${size} exceeds the ${UPLOAD_MAX_BYTES}-byte limit`);
    const id = randomUUID().replaceAll("-", "");
    this.uploads.set(id, {
      id,
      sessionId,
      name,
      size,
      mimeType,
      expiresAt: Date.now() + UPLOAD_URL_VALIDITY_MS,
      data: null,
    });
    return { presigned_id: id, presigned_url: `${baseUrl}/uploads/${id}`, path: uploadPath(sessionId, id, name) };
  }

  /** The slot, if any. */
  get(id: string): Upload | undefined {
    return this.uploads.get(id);
  }

  /** Bytes a PUT may carry before it is cut off (a little over the size, so "too long" is reported exactly). */
  limit(id: string): number {
    const upload = this.uploads.get(id);
    return upload ? upload.size + 1024 * 1024 : 1024 * 1024;
  }

  /** Stores the PUT body; throws the runtime's status for every refusal. */
  put(id: string, bytes: Buffer): void {
    const upload = this.uploads.get(id);
    if (!upload) throw new HttpError(404, "Upload not found");
    if (Date.now() > upload.expiresAt) throw new HttpError(403, "Upload URL expired");
    if (upload.data) throw new HttpError(409, "Upload already completed");
    if (bytes.length !== upload.size) throw new HttpError(400, `expected ${upload.size} bytes, got ${bytes.length}`);
    upload.data = bytes;
    for (const w of this.waiters.get(id) ?? []) w();
    this.waiters.delete(id);
  }

  /** Resolves with a complete upload of `sessionId`, waiting up to `timeoutMs` for its PUT. */
  async resolve(sessionId: string, id: string, timeoutMs: number): Promise<Upload> {
    const upload = this.uploads.get(id);
    if (!upload || upload.sessionId !== sessionId)
      throw reactorError("NOT_FOUND", `upload '${id}' is not part of this session`);
    if (upload.data) return upload;
    await new Promise<void>((resolve, reject) => {
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        set.delete(wake);
        reject(reactorError("TIMEOUT", `upload '${id}' was not completed within ${timeoutMs} ms`));
      }, timeoutMs);
      set.add(wake);
    });
    return upload;
  }

  /** Forgets every slot of a session. */
  forgetSession(sessionId: string): void {
    for (const [id, u] of this.uploads) if (u.sessionId === sessionId) this.uploads.delete(id);
  }

  /** Drops slots whose URL expired without a PUT. */
  sweep(now = Date.now()): void {
    for (const [id, u] of this.uploads) if (!u.data && now > u.expiresAt) this.uploads.delete(id);
  }

  /** Drops every slot and wakes every waiter (which then fails). */
  close(): void {
    this.uploads.clear();
    for (const set of this.waiters.values()) for (const w of set) w();
    this.waiters.clear();
  }
}
