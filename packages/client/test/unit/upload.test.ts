/** Upload mechanics against a real server: slot, streamed PUT with Content-Length, failures. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileRef } from "@reactor-node/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Coordinator } from "../../src/http/coordinator.js";
import { uploadFile } from "../../src/uploads/upload.js";
import { sendJson, serve, type TestServer } from "./http-server.js";

let server: TestServer;
let dir: string;
let putStatus = 200;
const announced: FileRef[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "reactor-upload-unit-"));
  server = await serve((req, res) => {
    if (req.method === "POST" && req.url === "/sessions/s1/uploads") {
      // A relative presigned URL is resolved against the API base.
      return sendJson(res, 201, { presigned_id: "u1", presigned_url: "/put/u1", path: "sessions/s1/uploads/u1/x" });
    }
    if (req.method === "PUT") {
      res.writeHead(putStatus);
      return void res.end();
    }
    sendJson(res, 404, {});
  });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const context = () => ({
  coordinator: new Coordinator({ baseUrl: server.url, local: false }),
  sessionId: "s1",
  announce: (ref: FileRef) => announced.push(ref),
});

describe("uploadFile (unit)", () => {
  it("streams a path in chunks with Content-Length and no Authorization", async () => {
    const path = join(dir, "big.bin");
    const bytes = Buffer.alloc(1024 * 1024, 7);
    await writeFile(path, bytes);
    const progress: number[] = [];
    const ref = await uploadFile(context(), path, { onProgress: (p) => progress.push(p.sentBytes) });
    expect(ref).toMatchObject({
      uploadId: "u1",
      name: "big.bin",
      mimeType: "application/octet-stream",
      size: bytes.length,
    });
    const put = server.requests.find((r) => r.method === "PUT")!;
    expect(put.url).toBe("/put/u1");
    expect(put.headers["content-length"]).toBe(String(bytes.length));
    expect(put.headers.authorization).toBeUndefined();
    expect(put.body.equals(bytes)).toBe(true);
    expect(progress.length).toBeGreaterThan(1); // read stream chunks, not one buffer
    expect(progress.at(-1)).toBe(bytes.length);
    expect(announced.at(-1)?.toWire()).toEqual({
      upload_id: "u1",
      name: "big.bin",
      mime_type: "application/octet-stream",
      size: bytes.length,
    });
  });

  it("a failed PUT keeps its HTTP code (operation upload), and nothing is announced", async () => {
    putStatus = 500;
    const before = announced.length;
    const error = await uploadFile(context(), Buffer.from("hello"), { name: "h.txt" }).catch((e) => e);
    putStatus = 200;
    expect(error).toMatchObject({ code: "SERVER_ERROR", recoverable: true, operation: "upload" });
    expect(error.message).toMatch(/PUT upload of 'h.txt': HTTP 500/);
    expect(announced.length).toBe(before);
  });
});
