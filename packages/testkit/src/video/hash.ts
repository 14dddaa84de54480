/** 32-bit FNV-1a over bytes, or over a string's UTF-16 code units. Identifies captions/overlays in the state word. */
export function fnv1a32(input: Uint8Array | string): number {
  let h = 0x811c9dc5;
  if (typeof input === "string") {
    for (let i = 0; i < input.length; i++) {
      h ^= input.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  } else {
    for (let i = 0; i < input.length; i++) {
      h ^= input[i] as number;
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}
