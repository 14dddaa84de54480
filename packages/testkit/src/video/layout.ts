/**
 * The layout of the synthetic test pattern the fake GPU peer streams.
 *
 * The picture is a grid of {@link GRID_COLS} × {@link GRID_ROWS} cells scaled to the frame
 * (cell `c` spans x ∈ [floor(c·W/COLS), floor((c+1)·W/COLS)), rows likewise), so it reads back
 * at any resolution, aspect ratio or canvas scale. Everything machine-read is a flat area at
 * least one cell big: VP8 at a modest bitrate and 4:2:0 chroma smear edges, so readers average
 * only the inner half of each cell ({@link SAMPLE_INSET} trimmed on every side).
 *
 * ```
 * row 0  CODE   | W | B | f7 f6 f5 f4 f3 f2 f1 f0 | ~f7 … ~f0 | W | B |   frame number mod 256
 * row 1  STATE  | B | W | s17 … s0 (18 bits)                     |   model state word
 * row 2  ~STATE | W | B | ~s17 … ~s0                             |   inverted copy (the check)
 * row 3  PATCH  | E | red | green | blue | white | black | grey | yellow | cyan | magenta | E |
 * rows 4–10     scene: scrolling colour field + a moving ball + the overlay image;
 *               the effect (grayscale, sepia, …) is applied to this area only
 * row 11        caption bar (dark bar with blocky glyphs when a caption is set, else scene)
 * ```
 *
 * - Bits are white (1) or black (0) cells; a bit reads as 1 when its cell is brighter than its
 *   inverted twin, and the pair must differ by at least {@link MIN_BIT_CONTRAST} of the
 *   marker contrast, otherwise the picture is rejected (no pattern, or too damaged).
 * - Colour patches are two cells wide; `E` (cols 0 and 19 of row 3) shows the effect's colour
 *   ({@link EFFECT_COLORS}) for humans.
 * - State word, most significant bit first: effect code (3 bits, index in {@link EFFECTS}),
 *   intensity (4 bits, round(intensity·15)), caption present (1), caption hash (4 bits, FNV-1a
 *   of the UTF-16 code units & 15), overlay present (1), overlay hash (4 bits, FNV-1a of the
 *   overlay bytes & 15), reserved (1, zero).
 * - Colours are full-range sRGB values; the I420 picture uses BT.601 limited range.
 */

/** Number of cell columns in the pattern grid. */
export const GRID_COLS = 20;
/** Number of cell rows in the pattern grid. */
export const GRID_ROWS = 12;
/** Row holding the start marker, the frame number bits and their inverted copy. */
export const CODE_ROW = 0;
/** Row holding the state word. */
export const STATE_ROW = 1;
/** Row holding the inverted state word. */
export const STATE_INV_ROW = 2;
/** Row holding the colour patches. */
export const PATCH_ROW = 3;
/** First row of the scene (the area effects apply to). */
export const SCENE_FIRST_ROW = 4;
/** Row of the caption bar (the last row). */
export const CAPTION_ROW = 11;
/** Column of the first data bit in the code and state rows (cols 0–1 are markers). */
export const BIT_FIRST_COL = 2;
/** Frame number bits in the code row (the embedded number is `n mod 2^FRAME_BITS`). */
export const FRAME_BITS = 8;
/** Bits in the state word. */
export const STATE_BITS = 18;
/** Fraction of a cell trimmed on each side before averaging. */
export const SAMPLE_INSET = 0.25;
/** A bit and its inverted twin must differ by this fraction of the marker contrast. */
export const MIN_BIT_CONTRAST = 0.35;
/** Smallest picture the pattern is drawn legibly on, in pixels. */
export const MIN_PATTERN_WIDTH = 80;
/** Smallest picture height, in pixels. */
export const MIN_PATTERN_HEIGHT = 48;

/** The colour patches of row 3, left to right, each two cells wide starting at column 1. */
export const PATCHES: readonly { readonly name: string; readonly rgb: readonly [number, number, number] }[] = [
  { name: "red", rgb: [255, 0, 0] },
  { name: "green", rgb: [0, 255, 0] },
  { name: "blue", rgb: [0, 0, 255] },
  { name: "white", rgb: [255, 255, 255] },
  { name: "black", rgb: [0, 0, 0] },
  { name: "grey", rgb: [128, 128, 128] },
  { name: "yellow", rgb: [255, 255, 0] },
  { name: "cyan", rgb: [0, 255, 255] },
  { name: "magenta", rgb: [255, 0, 255] },
];

/** The echo model's effects, in state-word code order (code = index). */
export const EFFECTS = ["none", "grayscale", "sepia", "edges", "invert", "blur", "pixelate"] as const;

/** One of the echo model's effects. */
export type Effect = (typeof EFFECTS)[number];

/** The colour shown beside the patches for each effect (same order as {@link EFFECTS}). */
export const EFFECT_COLORS: readonly (readonly [number, number, number])[] = [
  [64, 64, 64],
  [160, 160, 160],
  [112, 66, 20],
  [255, 255, 255],
  [255, 128, 0],
  [100, 150, 255],
  [0, 200, 100],
];
