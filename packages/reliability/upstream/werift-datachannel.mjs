// Minimal reproduction, for werift upstream, of the two data-channel defects our PacedSender and
// emptyMessageSender work around (issue 15 item 14). Plain werift, nothing of ours:
//   node packages/reliability/upstream/werift-datachannel.mjs [messages] [bytes]
// 1. burst: `messages` sends of `bytes` each, back to back on one ordered channel, then 3 s.
//    werift resolves each message's SCTP send only when the whole outbound queue is empty and
//    keeps a waiter per message on an Event whose unsubscribe is linear: O(n²) per SACK.
// 2. empty: "a", "", "b" in order. werift sends "" as no DATA chunk at all while consuming the
//    stream sequence number, so the receiver waits for it and never delivers "b" (RFC 8831 §6.6:
//    PPID 56 with one 0x00 byte).
import { RTCPeerConnection } from "werift";

const messages = Number(process.argv[2] ?? 2000);
const bytes = Number(process.argv[3] ?? 60);

async function pair() {
  const a = new RTCPeerConnection({ iceUseIpv6: false });
  const b = new RTCPeerConnection({ iceUseIpv6: false });
  a.onIceCandidate.subscribe((c) => c && void b.addIceCandidate(c));
  b.onIceCandidate.subscribe((c) => c && void a.addIceCandidate(c));
  const sender = a.createDataChannel("x");
  const received = [];
  const remote = new Promise((resolve) =>
    b.onDataChannel.subscribe((ch) => {
      ch.onMessage.subscribe((m) => received.push(typeof m === "string" ? m : m.toString()));
      resolve(ch);
    }),
  );
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  await remote;
  while (sender.readyState !== "open") await new Promise((r) => setTimeout(r, 10));
  return { a, b, sender, received };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

{
  const { a, b, sender, received } = await pair();
  const payload = "x".repeat(bytes);
  const t0 = performance.now();
  for (let i = 0; i < messages; i++) sender.send(payload);
  const handedMs = performance.now() - t0;
  await sleep(3000);
  console.log(
    `burst: ${messages} × ${bytes} B handed over in ${handedMs.toFixed(0)} ms; delivered after 3 s: ${received.length}` +
      ` (bufferedAmount ${sender.bufferedAmount})`,
  );
  await Promise.allSettled([a.close(), b.close()]);
}
{
  const { a, b, sender, received } = await pair();
  sender.send("a");
  sender.send("");
  sender.send("b");
  await sleep(2000);
  console.log(`empty: sent "a", "", "b"; delivered ${JSON.stringify(received)} (expected ["a","","b"])`);
  await Promise.allSettled([a.close(), b.close()]);
}
process.exit(0);
