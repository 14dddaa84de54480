/** A libvpx (libav.js) decoder that reads the test pattern of every decoded picture. */
import LibAVWrapper from "@libav.js/variant-webm";
import { referenceI420ToRgb } from "../../src/video/color.js";
import { type PatternReading, readPattern } from "../../src/video/pattern.js";
import type { SyncLibAV } from "../../src/video/vp8-encoder.js";

let shared: Promise<SyncLibAV> | null = null;

function libav(): Promise<SyncLibAV> {
  shared ??= (async () => {
    const l = (await LibAVWrapper.LibAV({ noworker: true, nothreads: true })) as SyncLibAV;
    l.av_log_set_level_sync(l.AV_LOG_QUIET);
    return l;
  })();
  return shared;
}

/** A VP8 decoder; `decode` returns the pattern reading of each picture it produced. */
export interface PatternDecoder {
  decode(frame: Uint8Array): Array<{ reading: PatternReading | null; width: number; height: number }>;
  close(): void;
}

/** Creates a decoder. */
export async function createPatternDecoder(): Promise<PatternDecoder> {
  const l = await libav();
  const [, ctx, pkt, frame] = l.ff_init_decoder_sync("libvpx");
  return {
    decode(data) {
      const out = l.ff_decode_multi_sync(ctx, pkt, frame, [{ data }]);
      return out.map((f) => {
        const w = f.width as number;
        const h = f.height as number;
        return { reading: readPattern(referenceI420ToRgb(f.data, w, h, f.layout), w, h), width: w, height: h };
      });
    },
    close() {
      l.ff_free_decoder_sync(ctx, pkt, frame);
    },
  };
}
