import type { DecodedFrame, DecodeResult } from "./decoder-api.js";

/**
 * A {@link DecodeResult} as it crosses the thread boundary: the per-frame outcomes packed into one
 * Float64Array ({@link REPLY_FIELDS} numbers per frame) instead of an object per frame. Structured
 * clone rebuilds objects property by property, which made receiving the reply the main thread's
 * largest cost per frame after werift's own; a typed array is one copy.
 */
export interface DecodeReply {
  /** `[id, status, width, height, memory, index, offset, bytes]` per frame (see {@link STATUS}). */
  table: Float64Array;
  /** Transferred pixels of frames that found no free slot, by position in the batch. */
  data: (Uint8Array | null)[];
  /** Decoder messages of frames with status `error`, in order. */
  messages: string[];
  decodeMs: number;
  convertMs: number;
  memoryBytes: number;
  memories: DecodeResult["memories"];
}

/** Numbers per frame in {@link DecodeReply.table}. */
const REPLY_FIELDS = 8;

const STATUS = ["decoded", "noPicture", "error", "skipped"] as const;
const NO_SLOT = -1;

/** Packs a result in the worker (pixel buffers stay where they are: list them for transfer). */
export function packReply(result: DecodeResult): DecodeReply {
  const { frames } = result;
  const table = new Float64Array(frames.length * REPLY_FIELDS);
  const data: (Uint8Array | null)[] = [];
  const messages: string[] = [];
  frames.forEach((frame, i) => {
    const at = i * REPLY_FIELDS;
    table[at] = frame.id;
    table[at + 1] = STATUS.indexOf(frame.status);
    table[at + 4] = NO_SLOT;
    data.push(null);
    if (frame.status === "error") messages.push(frame.message);
    if (frame.status !== "decoded") return;
    table[at + 2] = frame.width;
    table[at + 3] = frame.height;
    if (frame.slot) {
      table[at + 4] = frame.slot.memory;
      table[at + 5] = frame.slot.index;
      table[at + 6] = frame.slot.offset;
      table[at + 7] = frame.slot.bytes;
    }
    if (frame.data) data[i] = frame.data;
  });
  const { decodeMs, convertMs, memoryBytes, memories } = result;
  return { table, data: data.some(Boolean) ? data : [], messages, decodeMs, convertMs, memoryBytes, memories };
}

/** Unpacks a reply on the main thread. */
export function unpackReply(reply: DecodeReply): DecodeResult {
  const { table, data, messages } = reply;
  const frames: DecodedFrame[] = [];
  let message = 0;
  for (let at = 0; at < table.length; at += REPLY_FIELDS) {
    const id = table[at]!;
    const status = STATUS[table[at + 1]!];
    if (status === "decoded") {
      const frame: DecodedFrame = { id, status, width: table[at + 2]!, height: table[at + 3]! };
      const pixels = data[at / REPLY_FIELDS];
      if (pixels) frame.data = pixels;
      else if (table[at + 4] !== NO_SLOT) {
        frame.slot = { memory: table[at + 4]!, index: table[at + 5]!, offset: table[at + 6]!, bytes: table[at + 7]! };
      }
      frames.push(frame);
    } else if (status === "error") frames.push({ id, status, message: messages[message++] ?? "" });
    else frames.push({ id, status: status ?? "skipped" });
  }
  const { decodeMs, convertMs, memoryBytes, memories } = reply;
  return { frames, decodeMs, convertMs, memoryBytes, memories };
}
