// Bench helper: a synthetic VP8 clip (moving gradients + texture, so the decoder has real work),
// encoded with libav.js (libvpx, realtime) in this thread.
import LibAVWrapper from "@libav.js/variant-webm";

/** Moving gradients plus noise, so the decoder has real residuals and motion to work on. */
export function texturedPicture(width, height, index) {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const out = new Uint8Array(width * height + 2 * cw * ch);
  let seed = index * 7919 + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const wave = 60 * Math.sin((x + index * 6) / 23) + 50 * Math.cos((y - index * 4) / 17);
      out[y * width + x] = Math.max(16, Math.min(235, 126 + wave + ((seed >> 16) & 15)));
    }
  }
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      out[width * height + y * cw + x] = 128 + Math.round(40 * Math.sin((x + index * 3) / 19));
      out[width * height + cw * ch + y * cw + x] = 128 + Math.round(40 * Math.cos((y + index * 2) / 13));
    }
  }
  return out;
}

/**
 * Encodes `count` pictures (`picture(i)` → packed I420) as a realtime VP8 stream with a keyframe
 * every `gop` frames. Shared by the benchmarks and the tests (typed in encode-clip.d.ts).
 */
export async function encodeVp8({ width, height, count, gop, picture, bitRate = 2_000_000 }) {
  const libav = await LibAVWrapper.LibAV({ noworker: true, nothreads: true });
  await libav.av_log_set_level(libav.AV_LOG_QUIET);
  const [, ctx, frame, pkt] = await libav.ff_init_encoder("libvpx", {
    ctx: { width, height, pix_fmt: libav.AV_PIX_FMT_YUV420P, bit_rate: bitRate, gop_size: gop },
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
  const packets = [];
  for (let i = 0; i < count; i++) {
    const input = { data: picture(i), format: libav.AV_PIX_FMT_YUV420P, width, height, pts: i, layout };
    packets.push(...(await libav.ff_encode_multi(ctx, frame, pkt, [input], i === count - 1)));
  }
  await libav.ff_free_encoder(ctx, frame, pkt);
  libav.terminate();
  return packets.map((p) => ({ data: p.data, keyframe: ((p.flags ?? 0) & 1) === 1 }));
}

/** A textured clip for the benchmarks: {@link texturedPicture} frames, keyframe every `gop`. */
export function encodeClip({ width, height, count, gop = 60, bitRate = 2_500_000 }) {
  return encodeVp8({ width, height, count, gop, bitRate, picture: (i) => texturedPicture(width, height, i) });
}
