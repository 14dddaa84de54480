// Test helper: encodes synthetic I420 pictures to VP8 with libav.js (libvpx) in this thread.
// libav.js runs synchronously in Node, so this is fine for small clips.
import LibAVWrapper from "@libav.js/variant-webm";

/** An RGB colour. */
export type Rgb = readonly [number, number, number];

/** One encoded test frame. */
export interface EncodedTestFrame {
  data: Uint8Array;
  keyframe: boolean;
}

/** BT.601 limited-range forward transform (the inverse of what the receiver applies). */
export function rgbToYuv([r, g, b]: Rgb): [number, number, number] {
  const y = 16 + 0.256788 * r + 0.504129 * g + 0.097906 * b;
  const u = 128 - 0.148223 * r - 0.290993 * g + 0.439216 * b;
  const v = 128 + 0.439216 * r - 0.367788 * g - 0.071427 * b;
  return [Math.round(y), Math.round(u), Math.round(v)];
}

/** Colours of the four quadrants of {@link quadrantPicture}: TL, TR, BL, BR. */
export const QUADRANTS: readonly Rgb[] = [
  [220, 40, 40],
  [40, 200, 60],
  [40, 60, 210],
  [230, 230, 230],
];

/** A tightly packed I420 picture with four solid quadrants (colours rotated by `shift`). */
export function quadrantPicture(width: number, height: number, shift = 0): Uint8Array {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const out = new Uint8Array(width * height + 2 * cw * ch);
  const colour = (x: number, y: number) =>
    rgbToYuv(QUADRANTS[((y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1) + shift) % 4]!);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = colour(x, y)[0];
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const [, u, v] = colour(x * 2, y * 2);
      out[width * height + y * cw + x] = u;
      out[width * height + cw * ch + y * cw + x] = v;
    }
  }
  return out;
}

/**
 * Encodes `count` pictures (`picture(i)` → packed I420) as a realtime VP8 stream with a keyframe
 * every `gop` frames.
 */
export async function encodeVp8(options: {
  width: number;
  height: number;
  count: number;
  gop: number;
  picture: (index: number) => Uint8Array;
  bitRate?: number;
}): Promise<EncodedTestFrame[]> {
  const { width, height, count, gop, picture } = options;
  const libav = await LibAVWrapper.LibAV({ noworker: true, nothreads: true });
  await libav.av_log_set_level(libav.AV_LOG_QUIET);
  const [, ctx, frame, pkt] = await libav.ff_init_encoder("libvpx", {
    ctx: { width, height, pix_fmt: libav.AV_PIX_FMT_YUV420P, bit_rate: options.bitRate ?? 2_000_000, gop_size: gop },
    time_base: [1, 30],
    options: { deadline: "realtime", "cpu-used": "8", "lag-in-frames": "0", "auto-alt-ref": "0" },
  });
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const layout = [
    { offset: 0, stride: width },
    { offset: width * height, stride: cw },
    { offset: width * height + cw * ch, stride: cw },
  ];
  const frames = Array.from({ length: count }, (_, i) => ({
    data: picture(i),
    format: libav.AV_PIX_FMT_YUV420P,
    width,
    height,
    pts: i,
    layout,
  }));
  const packets = await libav.ff_encode_multi(ctx, frame, pkt, frames, true);
  await libav.ff_free_encoder(ctx, frame, pkt);
  libav.terminate();
  return packets.map((p) => ({ data: p.data, keyframe: ((p.flags ?? 0) & 1) === 1 }));
}
