/**
 * A minimal PNG encoder for snapshots of decoded frames (8-bit RGB or RGBA, no interlace).
 * node:zlib does the deflate and the CRC; the rest is three chunks.
 */
import { crc32, deflateSync } from "node:zlib";
import { reactorError } from "@reactor-node/protocol";

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes packed RGB (`channels` 3) or RGBA (4) pixels, row-major without padding, as a PNG file. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 3 | 4 = 3): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw reactorError("INVALID_ARGUMENT", `PNG size must be positive integers, got ${width}x${height}`);
  }
  const stride = width * channels;
  if (pixels.length < stride * height) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `PNG needs ${stride * height} bytes for ${width}x${height}x${channels}, got ${pixels.length}`,
    );
  }
  // Each row is prefixed with filter type 0 (none); deflate does the rest well on video frames.
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = channels === 3 ? 2 : 6; // colour type: truecolour / truecolour with alpha
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 6 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}
