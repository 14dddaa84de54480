/** Messages between the tone loop builder and its worker thread. */

/** Main thread → worker: encode one second of the tone. */
export interface ToneRequest {
  id: number;
  frequencyHz: number;
}

/** Worker → main thread: the loop's Opus packets, or why there are none. */
export type ToneReply =
  | { id: number; ok: true; packets: Uint8Array[]; encodeMs: number }
  | { id: number; ok: false; message: string };
