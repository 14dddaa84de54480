import { z } from "zod";

const FILE_REF_BRAND: unique symbol = Symbol.for("@reactor-node/protocol.FileRef") as never;

/** Wire form of an upload reference (docs/protocol.md §5 `uploads`, `fileUploaded`). */
export const UploadReferenceSchema = z.object({
  upload_id: z.string().min(1),
  name: z.string(),
  mime_type: z.string(),
  size: z.number().int().nonnegative(),
});
/** Wire form of a {@link FileRef}. */
export type UploadReferenceWire = z.infer<typeof UploadReferenceSchema>;

/** Fields of a {@link FileRef}. */
export interface FileRefInit {
  uploadId: string;
  name: string;
  mimeType: string;
  size: number;
}

/**
 * An uploaded file (the seed's frozen `FileRef`), returned by `uploadFile()`. Pass it as a
 * top-level value in command data and it travels in the envelope's `uploads`.
 */
export class FileRef implements FileRefInit {
  readonly uploadId: string;
  readonly name: string;
  readonly mimeType: string;
  readonly size: number;
  readonly [FILE_REF_BRAND] = true;

  constructor(init: FileRefInit) {
    this.uploadId = init.uploadId;
    this.name = init.name;
    this.mimeType = init.mimeType;
    this.size = init.size;
    Object.freeze(this);
  }

  /** The wire form `{upload_id, name, mime_type, size}`. */
  toWire(): UploadReferenceWire {
    return { upload_id: this.uploadId, name: this.name, mime_type: this.mimeType, size: this.size };
  }

  /** JSON of a FileRef is its wire form, so a nested FileRef still serialises sensibly. */
  toJSON(): UploadReferenceWire {
    return this.toWire();
  }

  /** Builds a FileRef from its wire form. */
  static fromWire(wire: UploadReferenceWire): FileRef {
    return new FileRef({ uploadId: wire.upload_id, name: wire.name, mimeType: wire.mime_type, size: wire.size });
  }
}

/** True for a {@link FileRef}, also one created by another copy of this package. */
export function isFileRef(value: unknown): value is FileRef {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[FILE_REF_BRAND] === true;
}
