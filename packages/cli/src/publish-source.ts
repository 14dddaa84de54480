/**
 * What `reactor connect --publish NAME` pushes: a generated picture (colour bars with a bright
 * box sweeping across, 30 fps) on a video input track, a 440 Hz tone on an audio input track.
 * Good enough to see a round trip through a model without a camera or a microphone.
 */
import type { Publisher } from "@reactor-node/client";

/** Size and rate of the generated video. */
const PUBLISH_WIDTH = 640;
const PUBLISH_HEIGHT = 360;
const PUBLISH_FPS = 30;
/** The generated tone. */
const PUBLISH_TONE_HZ = 440;
const AUDIO_RATE_HZ = 48_000;
const AUDIO_CHUNK_MS = 20;

const BARS: ReadonlyArray<readonly [number, number, number]> = [
  [235, 235, 235],
  [235, 235, 16],
  [16, 235, 235],
  [16, 235, 16],
  [235, 16, 235],
  [235, 16, 16],
  [16, 16, 235],
];

/** Frame `n` of the generated video, packed RGB24. */
function barsFrame(n: number, width = PUBLISH_WIDTH, height = PUBLISH_HEIGHT): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const box = Math.floor(height / 4);
  const boxX = Math.floor(((n * 8) % (width + box)) - box);
  const boxY = Math.floor((height - box) / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inBox = x >= boxX && x < boxX + box && y >= boxY && y < boxY + box;
      const c = inBox ? ([255, 255, 255] as const) : BARS[Math.floor((x * BARS.length) / width)]!;
      const p = (y * width + x) * 3;
      out[p] = c[0];
      out[p + 1] = c[1];
      out[p + 2] = c[2];
    }
  }
  return out;
}

/** Pushes the generated media into `publisher` in real time until `signal` aborts. */
export async function pumpGenerated(publisher: Publisher, signal: AbortSignal): Promise<void> {
  const video = publisher.kind === "video";
  const periodMs = video ? 1000 / PUBLISH_FPS : AUDIO_CHUNK_MS;
  const samples = (AUDIO_RATE_HZ * AUDIO_CHUNK_MS) / 1000;
  const start = performance.now();
  for (let n = 0; !signal.aborted && publisher.state !== "unpublished"; n++) {
    if (video) {
      publisher.pushFrame({ data: barsFrame(n), width: PUBLISH_WIDTH, height: PUBLISH_HEIGHT, format: "rgb24" });
    } else {
      const data = new Int16Array(samples);
      for (let i = 0; i < samples; i++) {
        data[i] = Math.round(8000 * Math.sin((2 * Math.PI * PUBLISH_TONE_HZ * (n * samples + i)) / AUDIO_RATE_HZ));
      }
      publisher.pushFrame({ data, sampleRate: AUDIO_RATE_HZ, channels: 1 });
    }
    const wait = start + (n + 1) * periodMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}
