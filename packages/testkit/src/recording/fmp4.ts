/**
 * A small fragmented-MP4 writer for VP8 (ISO/IEC 14496-12 boxes, the VP codec ISO binding's
 * `vp08` + `vpcC`): an HLS init segment (`ftyp` + `moov` with `mvex`) and media segments
 * (`moof` + `mdat`, one track fragment). Only what the testkit's recorder needs, written
 * deterministically so equal inputs give equal bytes.
 */

/** Media timescale of the video track: the RTP video clock. */
const FMP4_VIDEO_TIMESCALE = 90_000;
/** Movie timescale (mvhd, mehd): milliseconds. */
const MOVIE_TIMESCALE = 1000;
const TRACK_ID = 1;

/** One encoded frame of a segment. */
export interface Fmp4Sample {
  data: Uint8Array;
  keyframe: boolean;
  /** Duration in {@link FMP4_VIDEO_TIMESCALE} ticks. */
  duration: number;
}

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  bytes(b: Uint8Array | number[]): this {
    const u = b instanceof Uint8Array ? b : Uint8Array.from(b);
    this.chunks.push(u);
    this.size += u.length;
    return this;
  }

  u8(v: number): this {
    return this.bytes([v & 0xff]);
  }

  u16(v: number): this {
    return this.bytes([(v >>> 8) & 0xff, v & 0xff]);
  }

  u32(v: number): this {
    return this.bytes([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
  }

  u64(v: number): this {
    return this.u32(Math.floor(v / 2 ** 32)).u32(v % 2 ** 32);
  }

  zeros(n: number): this {
    return this.bytes(new Uint8Array(n));
  }

  text(s: string): this {
    return this.bytes([...s].map((c) => c.charCodeAt(0)));
  }

  get length(): number {
    return this.size;
  }

  done(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function box(type: string, ...children: Uint8Array[]): Uint8Array {
  const w = new Writer();
  const size = 8 + children.reduce((a, c) => a + c.length, 0);
  w.u32(size).text(type);
  for (const c of children) w.bytes(c);
  return w.done();
}

function fullBox(
  type: string,
  version: number,
  flags: number,
  body: Uint8Array,
  ...children: Uint8Array[]
): Uint8Array {
  const head = new Writer()
    .u8(version)
    .u8(flags >>> 16)
    .u16(flags & 0xffff)
    .done();
  return box(type, head, body, ...children);
}

const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

function matrix(w: Writer): Writer {
  for (const v of UNITY_MATRIX) w.u32(v);
  return w;
}

/** `ftyp` + `moov` for one VP8 track of `width`×`height`; `durationMs` goes in `mehd`. */
export function vp8InitSegment(width: number, height: number, durationMs: number): Uint8Array {
  const ftyp = box("ftyp", new Writer().text("iso6").u32(0).text("iso6").text("isom").text("mp41").done());
  const mvhd = fullBox(
    "mvhd",
    0,
    0,
    matrix(new Writer().u32(0).u32(0).u32(MOVIE_TIMESCALE).u32(0).u32(0x00010000).u16(0x0100).zeros(10))
      .zeros(24)
      .u32(TRACK_ID + 1)
      .done(),
  );
  const tkhd = fullBox(
    "tkhd",
    0,
    0x000003,
    matrix(new Writer().u32(0).u32(0).u32(TRACK_ID).u32(0).u32(0).zeros(8).u16(0).u16(0).u16(0).u16(0))
      .u32(width * 0x10000)
      .u32(height * 0x10000)
      .done(),
  );
  const mdhd = fullBox(
    "mdhd",
    0,
    0,
    new Writer().u32(0).u32(0).u32(FMP4_VIDEO_TIMESCALE).u32(0).u16(0x55c4).u16(0).done(),
  );
  const hdlr = fullBox("hdlr", 0, 0, new Writer().u32(0).text("vide").zeros(12).text("VideoHandler").u8(0).done());
  const vmhd = fullBox("vmhd", 0, 1, new Writer().u16(0).u16(0).u16(0).u16(0).done());
  const dref = fullBox("dref", 0, 0, new Writer().u32(1).done(), fullBox("url ", 0, 1, new Uint8Array(0)));
  const dinf = box("dinf", dref);
  // vpcC v1: profile 0, level 0 (unspecified), 8-bit, 4:2:0 colocated, limited range, colours unspecified.
  const vpcC = fullBox(
    "vpcC",
    1,
    0,
    new Writer()
      .u8(0)
      .u8(0)
      .u8((8 << 4) | (1 << 1) | 0)
      .u8(2)
      .u8(2)
      .u8(2)
      .u16(0)
      .done(),
  );
  const vp08 = box(
    "vp08",
    new Writer()
      .zeros(6)
      .u16(1)
      .u16(0)
      .u16(0)
      .zeros(12)
      .u16(width)
      .u16(height)
      .u32(0x00480000)
      .u32(0x00480000)
      .u32(0)
      .u16(1)
      .zeros(32)
      .u16(0x0018)
      .u16(0xffff)
      .done(),
    vpcC,
  );
  const stsd = fullBox("stsd", 0, 0, new Writer().u32(1).done(), vp08);
  const empty = (type: string, extra = 0) => fullBox(type, 0, 0, new Writer().zeros(4 + extra).done());
  const stbl = box("stbl", stsd, empty("stts"), empty("stsc"), empty("stsz", 4), empty("stco"));
  const minf = box("minf", vmhd, dinf, stbl);
  const mdia = box("mdia", mdhd, hdlr, minf);
  const trak = box("trak", tkhd, mdia);
  const mehd = fullBox("mehd", 0, 0, new Writer().u32(Math.round(durationMs)).done());
  const trex = fullBox("trex", 0, 0, new Writer().u32(TRACK_ID).u32(1).u32(0).u32(0).u32(0).done());
  const mvex = box("mvex", mehd, trex);
  const moov = box("moov", mvhd, trak, mvex);
  return new Writer().bytes(ftyp).bytes(moov).done();
}

/** sample_depends_on = 2 (independent). */
const SYNC_SAMPLE_FLAGS = 0x02000000;
/** sample_depends_on = 1, sample_is_non_sync_sample = 1. */
const DELTA_SAMPLE_FLAGS = 0x01010000;

/**
 * One media segment: `moof` (sequence `sequence`, decode time `baseTime` ticks) + `mdat`. The
 * first sample of a segment a player may start from must be a keyframe; that is the caller's job.
 */
export function vp8MediaSegment(sequence: number, baseTime: number, samples: readonly Fmp4Sample[]): Uint8Array {
  const mfhd = fullBox("mfhd", 0, 0, new Writer().u32(sequence).done());
  const tfhd = fullBox("tfhd", 0, 0x020000, new Writer().u32(TRACK_ID).done());
  const tfdt = fullBox("tfdt", 1, 0, new Writer().u64(baseTime).done());
  const trunFlags = 0x000001 | 0x000100 | 0x000200 | 0x000400;
  const build = (dataOffset: number) => {
    const w = new Writer().u32(samples.length).u32(dataOffset);
    for (const s of samples)
      w.u32(s.duration)
        .u32(s.data.length)
        .u32(s.keyframe ? SYNC_SAMPLE_FLAGS : DELTA_SAMPLE_FLAGS);
    return fullBox("trun", 0, trunFlags, w.done());
  };
  // The data offset counts from the start of moof to the first sample byte inside mdat.
  const probe = box("moof", mfhd, box("traf", tfhd, tfdt, build(0)));
  const moof = box("moof", mfhd, box("traf", tfhd, tfdt, build(probe.length + 8)));
  const payload = new Writer();
  for (const s of samples) payload.bytes(s.data);
  const mdat = box("mdat", payload.done());
  return new Writer().bytes(moof).bytes(mdat).done();
}
