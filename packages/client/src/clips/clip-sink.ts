/**
 * Where a downloaded clip goes: a file (written to `<path>.part` and renamed into place once
 * complete, removed on failure, so a half clip never sits under the final name) or a caller's
 * WritableStream (aborted on failure).
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { reactorError } from "@reactor-node/protocol";

/** Where `downloadClip()` writes: a file path (written whole or not at all) or a WritableStream. */
export type ClipTarget = string | WritableStream<Uint8Array>;

/** Sequential writes, then exactly one of `commit` or `discard`. */
export interface ClipSink {
  write(chunk: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  discard(reason: unknown): Promise<void>;
}

/** Opens the sink for `target`. */
export async function openClipSink(target: ClipTarget): Promise<ClipSink> {
  if (typeof target === "string") return fileSink(target);
  if (!target || typeof (target as WritableStream).getWriter !== "function") {
    throw reactorError("INVALID_ARGUMENT", "downloadClip() needs a file path or a WritableStream");
  }
  const writer = target.getWriter();
  return {
    write: (chunk) => writer.write(chunk),
    commit: () => writer.close(),
    discard: async (reason) => {
      await writer.abort(reason).catch(() => {});
    },
  };
}

async function fileSink(path: string): Promise<ClipSink> {
  if (path.length === 0) throw reactorError("INVALID_ARGUMENT", "downloadClip() needs a non-empty path");
  const partial = `${path}.part`;
  const stream: WriteStream = createWriteStream(partial);
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (cause) =>
      reject(reactorError("INVALID_ARGUMENT", `Cannot write ${partial}: ${cause.message}`, { cause })),
    );
  });
  let failed: Error | undefined;
  stream.on("error", (error) => {
    failed = error;
  });
  const finish = () =>
    new Promise<void>((resolve, reject) => {
      if (stream.closed) {
        resolve();
        return;
      }
      stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  return {
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        if (failed) {
          reject(failed);
          return;
        }
        stream.write(chunk, (error) => (error ? reject(error) : resolve()));
      }),
    commit: async () => {
      await finish();
      if (failed) throw failed;
      await rename(partial, path);
    },
    discard: async () => {
      stream.destroy();
      await rm(partial, { force: true });
    },
  };
}
