// The receiving side's half of a benchmark session: forks the sender (./sender.js), answers its
// offers with recvonly werift peers in this process, and hands out the receiving tracks. SDP and
// control go over the child's IPC channel; media goes over real UDP on loopback.
import { fork } from "node:child_process";
import { RTCPeerConnection } from "werift";
import { peerConfig } from "./ipc.js";

/** Upper bound for forking the sender, negotiating and loading its loop (a 720p loop is encoded once per machine, ≈11 s). */
const SESSION_SETUP_TIMEOUT_MS = 120_000;

/** How long the sender may take to exit after closing before it is killed. */
const SENDER_EXIT_GRACE_MS = 3_000;

/** Collects the child's messages so a phase can wait for one of a given type (and stream). */
class Mailbox {
  constructor(child) {
    this.queue = [];
    this.waiters = [];
    this.failure = undefined;
    child.on("message", (message) => {
      if (message.type === "error") return this.fail(new Error(`sender: ${message.message}`));
      const index = this.waiters.findIndex((w) => w.match(message));
      if (index >= 0) this.waiters.splice(index, 1)[0].resolve(message);
      else this.queue.push(message);
    });
    child.on("exit", (code) => this.fail(new Error(`sender exited (code ${code})`)));
  }

  fail(error) {
    this.failure ??= error;
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  next(type, id) {
    const match = (m) => m.type === type && (id === undefined || m.id === id);
    const index = this.queue.findIndex(match);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${type}" from the sender in time`)),
        SESSION_SETUP_TIMEOUT_MS,
      );
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }
}

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
  const mail = new Mailbox(child);
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
