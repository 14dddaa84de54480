import { z } from "zod";

/** `POST /sessions/{id}/uploads` body (§3 #6). */
export const UploadSlotRequestSchema = z.object({
  name: z.string().min(1),
  size: z.number().int().positive(),
  mime_type: z.string().min(1),
});
export type UploadSlotRequestWire = z.infer<typeof UploadSlotRequestSchema>;

/** 201 body: where to PUT the bytes. */
export const UploadSlotSchema = z.object({
  presigned_id: z.string().min(1),
  presigned_url: z.string().min(1),
  path: z.string(),
});
export type UploadSlotWire = z.infer<typeof UploadSlotSchema>;

/** An upload slot, camelCase. */
export interface UploadSlot {
  uploadId: string;
  url: string;
  path: string;
}

/** wire → API */
export function uploadSlotFromWire(wire: UploadSlotWire): UploadSlot {
  return { uploadId: wire.presigned_id, url: wire.presigned_url, path: wire.path };
}

/** The `path` the service reports for an upload. */
export function uploadPath(sessionId: string, uploadId: string, name: string): string {
  return `sessions/${sessionId}/uploads/${uploadId}/${name}`;
}
