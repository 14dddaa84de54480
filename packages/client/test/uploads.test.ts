/**
 * Uploads end to end: slot, presigned PUT (streamed, Content-Length, no auth), `fileUploaded`,
 * then a command carrying the FileRef in `uploads` that the model resolves.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodePng } from "@reactor-node/frames";
import { FileRef } from "@reactor-node/protocol";
import { type MockReactor, startMockReactor } from "@reactor-node/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reactor } from "../src/index.js";
import { nextEvent, record, WIRES, wireMessages } from "./helpers.js";

let mock: MockReactor;
let reactor: Reactor;
let dir: string;
const png = encodePng(new Uint8Array(64 * 48 * 3).fill(200), 64, 48);

beforeAll(async () => {
  // Two GPUs: the shared session of the file and the one of each wire block.
  mock = await startMockReactor({ gpus: 2, video: { width: 160, height: 120, fps: 30 } });
  reactor = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
  await reactor.connect();
  dir = await mkdtemp(join(tmpdir(), "reactor-client-upload-"));
});
afterAll(async () => {
  await reactor?.disconnect();
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("uploadFile", () => {
  it("uploads a Buffer and a Blob", async () => {
    const fromBuffer = await reactor.uploadFile(png, { name: "a.png" });
    expect(fromBuffer).toMatchObject({ name: "a.png", mimeType: "image/png", size: png.length });
    const blob = new Blob([png], { type: "image/png" });
    const fromBlob = await reactor.uploadFile(blob, { name: "b.png" });
    expect(fromBlob).toMatchObject({ name: "b.png", mimeType: "image/png", size: png.length });
    expect(fromBlob.uploadId).not.toBe(fromBuffer.uploadId);
  });

  it("refuses empty input and missing files with typed errors, and honours abort", async () => {
    await expect(reactor.uploadFile(new Uint8Array(0))).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(reactor.uploadFile(join(dir, "missing.png"))).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const controller = new AbortController();
    controller.abort("stop");
    await expect(reactor.uploadFile(png, { signal: controller.signal })).rejects.toMatchObject({
      code: "ABORTED",
      cause: "stop",
    });
  });

  it("is refused with NOT_READY when not connected", async () => {
    const idle = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url });
    const rec = record(idle);
    await expect(idle.uploadFile(png)).rejects.toMatchObject({ code: "NOT_READY" });
    expect(rec.errors.map((e) => e.code)).toEqual(["NOT_READY"]);
  });
});

describe.each(WIRES)("uploadFile on the %s wire", (wire) => {
  let wired: Reactor;
  beforeAll(async () => {
    wired = new Reactor({ modelName: "echo", apiKey: mock.apiKey, apiUrl: mock.url, wire });
    await wired.connect();
  });
  afterAll(async () => {
    await wired?.disconnect();
  });

  it("uploads a file path (streamed) with progress, announces it and the model resolves it in a command", async () => {
    const path = join(dir, "overlay.png");
    await writeFile(path, png);
    mock.history.clear();
    const progress: number[] = [];
    const ref = await wired.uploadFile(path, { onProgress: (p) => progress.push(p.sentBytes) });
    expect(ref).toBeInstanceOf(FileRef);
    expect(ref).toMatchObject({ name: "overlay.png", mimeType: "image/png", size: png.length });
    expect(progress.at(-1)).toBe(png.length);

    const slot = mock.history.http.find((c) => c.method === "POST" && c.path.endsWith("/uploads"));
    expect(slot?.body).toEqual({ name: "overlay.png", size: png.length, mime_type: "image/png" });
    const put = mock.history.http.find((c) => c.method === "PUT");
    expect(put?.status).toBeLessThan(300);
    expect(put?.headers["content-length"]).toBe(String(png.length));
    expect(put?.headers.authorization).toBeUndefined();
    const sid = wired.getSessionId();
    const announced = await mock.history.waitFor(() =>
      wireMessages(mock, sid).find((m) => m.kind === "runtime" && m.type === "fileUploaded"),
    );
    expect(announced).toEqual({
      kind: "runtime",
      type: "fileUploaded",
      data: { upload_id: ref.uploadId, name: "overlay.png", mime_type: "image/png", size: png.length },
    });

    const reply = nextEvent(wired, "message", (m) => m.type === "overlay_changed");
    const answered = await wired.sendCommand("set_overlay_image", { overlay_image: ref });
    const [message] = await reply;
    expect(message.data).toMatchObject({ name: "overlay.png", size: png.length });
    expect(answered).toEqual(wire === "v1" ? message : undefined);
    const sent = wireMessages(mock, sid).find((m) => m.kind === "command" && m.type === "set_overlay_image");
    expect(sent).toMatchObject({ kind: "command", type: "set_overlay_image", data: {} });
    expect((sent as { uploads?: Record<string, FileRef> }).uploads?.overlay_image?.toWire()).toEqual(ref.toWire());
  });
});
