import { inflateSync } from "node:zlib";
import { ReactorError } from "@reactor-node/protocol";
import { describe, expect, it } from "vitest";
import { encodePng } from "../src/snapshot/png.js";

/** A reader for exactly what encodePng writes (filter 0 rows). */
function readPng(file: Buffer) {
  expect([...file.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: Array<{ type: string; data: Buffer }> = [];
  for (let off = 8; off < file.length; ) {
    const len = file.readUInt32BE(off);
    const type = file.toString("ascii", off + 4, off + 8);
    const data = file.subarray(off + 8, off + 8 + len);
    chunks.push({ type, data });
    off += 12 + len;
  }
  const ihdr = chunks[0]!;
  expect(ihdr.type).toBe("IHDR");
  const width = ihdr.data.readUInt32BE(0);
  const height = ihdr.data.readUInt32BE(4);
  const channels = ihdr.data[9] === 2 ? 3 : 4;
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === "IDAT").map((c) => c.data)));
  const pixels = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    const row = raw.subarray(y * (width * channels + 1), (y + 1) * (width * channels + 1));
    expect(row[0]).toBe(0);
    row.copy(pixels, y * width * channels, 1);
  }
  expect(chunks.at(-1)!.type).toBe("IEND");
  // The IEND chunk is constant in every PNG; its CRC is the well-known AE 42 60 82.
  expect([...file.subarray(-4)]).toEqual([0xae, 0x42, 0x60, 0x82]);
  return { width, height, channels, pixels };
}

describe("encodePng", () => {
  it.each([
    [1, 1, 3],
    [7, 5, 3],
    [640, 360, 3],
    [3, 9, 4],
  ] as const)("%ix%i with %i channels round-trips", (w, h, c) => {
    const pixels = new Uint8Array(w * h * c).map((_, i) => (i * 37 + (i >> 7)) & 0xff);
    const png = readPng(encodePng(pixels, w, h, c));
    expect(png).toMatchObject({ width: w, height: h, channels: c });
    expect(Buffer.from(pixels).equals(png.pixels)).toBe(true);
  });

  it("rejects short buffers and bad sizes", () => {
    expect(() => encodePng(new Uint8Array(5), 2, 1)).toThrow(/needs 6 bytes/);
    expect(() => encodePng(new Uint8Array(0), 0, 1)).toThrow(ReactorError);
  });
});
