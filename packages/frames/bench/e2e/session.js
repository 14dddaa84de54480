// The receiving side's half of a benchmark session: forks the sender (./sender.js), answers its
// offers with recvonly werift peers in this process, and hands out the receiving tracks. SDP and
// control go over the child's IPC channel; media goes over real UDP on loopback.
import { fork } from "node:child_process";
import { RTCPeerConnection } from "werift";
import { ipcMailbox } from "../mailbox.js";
import { peerConfig } from "./ipc.js";

/** Upper bound for forking the sender, negotiating and loading its loop (a 720p loop is encoded once per machine, ≈11 s). */
const SESSION_SETUP_TIMEOUT_MS = 120_000;

/** How long the sender may take to exit after closing before it is killed. */
const SENDER_EXIT_GRACE_MS = 3_000;

function remoteTrack(pc) {
  return new Promise((resolve) => {
    const sub = pc.onTrack.subscribe((track) => {
      const transceiver = pc.getTransceivers().find((t) => t.receiver.track === track);
      if (!transceiver) return;
      sub.unSubscribe();
      resolve({ track, transceiver });
    });
  });
}

/**
 * @typedef {object} ReceivingStream
 * @property {number} id
 * @property {import("werift").MediaStreamTrack} track
 * @property {() => void} sendPli sends an RTCP PLI for the track through werift
 */

/**
 * Opens one session: `specs` = [{width, height, fps, mode}] streams, each on its own pair of
 * peers. Resolves once every peer is connected and every sender's loop is ready to play.
 */
export async function openSession(specs) {
  const child = fork(new URL("./sender.js", import.meta.url), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const mail = ipcMailbox(child, "the sender", SESSION_SETUP_TIMEOUT_MS);
  const pcs = [];
  try {
    await mail.next("hello");
    const streams = await Promise.all(
      specs.map(async (spec, id) => {
        child.send({ type: "open", id, ...spec });
        const offer = await mail.next("offer", id);
        const pc = new RTCPeerConnection(peerConfig());
        pcs.push(pc);
        const arrived = remoteTrack(pc);
        await pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        child.send({ type: "answer", id, sdp: pc.localDescription.sdp });
        const { track, transceiver } = await arrived;
        await mail.next("ready", id);
        return {
          id,
          spec,
          track,
          sendPli: () => {
            if (track.ssrc !== undefined) void transceiver.receiver.sendRtcpPLI(track.ssrc);
          },
        };
      }),
    );
    return {
      streams,
      start: () => child.send({ type: "start" }),
      /** Stops sending; resolves with the sender's counters per stream and its CPU usage. */
      async stop() {
        child.send({ type: "stop" });
        return mail.next("stopped");
      },
      async close() {
        if (child.connected) {
          child.send({ type: "close" });
          await mail.next("closed").catch(() => {});
        }
        await Promise.all(pcs.map((pc) => pc.close()));
        if (child.exitCode === null) {
          // It exits on its own once its peers are closed; don't let a stray handle hang the bench.
          const timer = setTimeout(() => child.kill(), SENDER_EXIT_GRACE_MS);
          await new Promise((resolve) => child.once("exit", resolve));
          clearTimeout(timer);
        }
      },
    };
  } catch (error) {
    child.kill();
    await Promise.all(pcs.map((pc) => pc.close()));
    throw error;
  }
}
