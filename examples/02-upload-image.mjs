// Upload an image and use it in a command.
import { Reactor } from "@reactor-node/client";
import { encodePng } from "@reactor-node/frames";
import { nextEvent, openTarget } from "./lib/target.mjs";

const target = await openTarget();
const reactor = new Reactor(target.options);
try {
  await reactor.connect();
  // A small 16×16 orange square, made here so the example needs no files.
  const image = encodePng(
    new Uint8Array(16 * 16 * 3).map((_, i) => [255, 140, 0][i % 3]),
    16,
    16,
  );
  const ref = await reactor.uploadFile(image, {
    name: "orange.png",
    mimeType: "image/png",
    onProgress: ({ sentBytes, totalBytes }) => console.log(`uploaded ${sentBytes}/${totalBytes} bytes`),
  });
  console.log(`upload ${ref.uploadId}: ${ref.name}, ${ref.mimeType}, ${ref.size} bytes`);
  const reply = nextEvent(reactor, "message", (m) => m.type === "overlay_changed");
  await reactor.sendCommand("set_overlay_image", { overlay_image: ref, overlay_strength: 0.8 });
  const message = await reply.catch(() => undefined);
  console.log(message ? `model replied: ${JSON.stringify(message)}` : "command sent (the model sent no reply)");
} finally {
  await reactor.disconnect();
  await target.close();
}
