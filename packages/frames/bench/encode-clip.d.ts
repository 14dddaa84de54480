/** One encoded VP8 frame. */
export interface EncodedTestFrame {
  data: Uint8Array;
  keyframe: boolean;
}

/** Moving gradients plus noise as packed I420, so decoders have real residuals and motion. */
export function texturedPicture(width: number, height: number, index: number): Uint8Array;

/** Encodes `count` pictures (`picture(i)` → packed I420) as realtime VP8, keyframe every `gop`. */
export function encodeVp8(options: {
  width: number;
  height: number;
  count: number;
  gop: number;
  picture: (index: number) => Uint8Array;
  bitRate?: number;
}): Promise<EncodedTestFrame[]>;

/** A textured clip for the benchmarks. */
export function encodeClip(options: {
  width: number;
  height: number;
  count: number;
  gop?: number;
  bitRate?: number;
}): Promise<EncodedTestFrame[]>;
