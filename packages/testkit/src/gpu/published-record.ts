/**
 * What a fake GPU peer received on one published input track: one record per publish (per
 * connection and track), updated in place as media arrives and reported over the link to the
 * call history (`history.published`).
 */
import { z } from "zod";

/** Distinct picture sizes kept per record (a hostile publisher may change size every frame). */
export const PUBLISHED_MAX_SIZES = 16;

/** The test pattern read back from the published video. */
export const PublishedPatternSchema = z.object({
  /** Decoded pictures that showed the pattern. */
  frames: z.number().int(),
  /** Embedded frame numbers (mod the loop length) of the first and latest such picture. */
  first: z.number().int().optional(),
  last: z.number().int().optional(),
  /** Pictures whose number was not ahead of the previous one's (mod the loop length): repeats or steps back. */
  outOfOrder: z.number().int(),
  /** The worst colour-patch error seen, per channel (0..255). */
  maxPatchError: z.number(),
});

/** One publish of one input track, as the GPU saw it. */
export const PublishedRecordSchema = z.object({
  sessionId: z.string(),
  connectionId: z.number().int(),
  track: z.string(),
  kind: z.enum(["video", "audio"]),
  /** ms since the Unix epoch. */
  startedAt: z.number(),
  updatedAt: z.number(),
  /** Set once the slot was released (unpublish, connection gone). */
  endedAt: z.number().optional(),
  /** Video frames assembled, or audio packets received. */
  frames: z.number().int(),
  keyframes: z.number().int(),
  bytes: z.number().int(),
  /** Frames (video) or packets (audio) lost to sequence gaps. */
  lost: z.number().int(),
  /** Distinct `WxH` sizes in arrival order (at most {@link PUBLISHED_MAX_SIZES}). */
  sizes: z.array(z.string()),
  /** Frames that failed to decode. */
  decodeErrors: z.number().int(),
  /** Frames not decoded for the pattern check (the decoder was behind and skipped to a keyframe). */
  decodeSkipped: z.number().int(),
  /** Frames (or packets) sent back on the model's output track. */
  echoed: z.number().int(),
  /** How video was echoed last: forwarded as is, or re-encoded with the model's effect. */
  mode: z.enum(["forward", "reencode", "none"]),
  pattern: PublishedPatternSchema,
});
/** A {@link PublishedRecordSchema} value. */
export type PublishedRecord = z.infer<typeof PublishedRecordSchema>;

/** A fresh record of one publish: nothing received yet. */
export function newPublishedRecord(
  publish: Pick<PublishedRecord, "sessionId" | "connectionId" | "track" | "kind" | "mode">,
): PublishedRecord {
  const now = Date.now();
  return {
    ...publish,
    startedAt: now,
    updatedAt: now,
    frames: 0,
    keyframes: 0,
    bytes: 0,
    lost: 0,
    sizes: [],
    decodeErrors: 0,
    decodeSkipped: 0,
    echoed: 0,
    pattern: { frames: 0, outOfOrder: 0, maxPatchError: 0 },
  };
}
