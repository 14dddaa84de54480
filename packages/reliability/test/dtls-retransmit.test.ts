/**
 * werift's DTLS handshake against repeated flights (RFC 6347 §4.2.1, §4.2.4), the cause of
 * first connections that never finished on a loaded machine: a DTLS client whose event loop
 * stalls after its ClientHello retransmits it, the server answers both with a
 * HelloVerifyRequest, and werift's client threw on the second one (its connection "failed" while
 * the other side waited). Stale repeats after the handshake did worse: the server renegotiated
 * on a retransmitted ClientHello and the client re-ran flight 5 on a repeated flight 4, each
 * replacing the keys of the established session. `patches/werift@0.25.2.patch` fixes both roles;
 * these tests inject the repeats on the wire between two werift peers in this process (no load,
 * no timing luck) and fail without it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type RTCDataChannel, RTCPeerConnection } from "werift";

/** DTLS record: content type at byte 0, epoch at bytes 3–4, handshake msg_type at byte 13. */
const CHANGE_CIPHER_SPEC_RECORD = 20;
const HANDSHAKE_RECORD = 22;
const RECORD_HEADER_BYTES = 13;
const HANDSHAKE_HEADER_BYTES = 12;
const BODY = RECORD_HEADER_BYTES + HANDSHAKE_HEADER_BYTES;
/** Handshake msg_type values (RFC 6347 §4.3.2). */
const CLIENT_HELLO = 1;
const HELLO_VERIFY_REQUEST = 3;
const FLIGHT_4 = [2, 11, 12, 13, 14]; // ServerHello … ServerHelloDone
const FLIGHT_5 = [11, 15, 16]; // Certificate, CertificateVerify, ClientKeyExchange
/** HelloVerifyRequest body: server_version (2 bytes), cookie length (1 byte), cookie. */
const HVR_COOKIE_OFFSET = BODY + 3;
/** ClientHello body: client_version (2), random (32), session id (1 + n), cookie (1 + n), … */
const HELLO_SESSION_ID_OFFSET = BODY + 34;
/** A round trip on loopback takes milliseconds; this bounds a wedged session, not a slow one. */
const DEADLINE_MS = 20_000;
/**
 * Longer than werift's first retransmission interval (500 ms): a repeat that breaks the session
 * often does so through a flight timer still pending at the time (it retransmits a flight the
 * repeat moved the state back to), so the session is checked again once the wire has been
 * quiet of handshake records this long.
 */
const QUIET_MS = 1_000;

/** The msg_type of an unencrypted (epoch 0) handshake record, else undefined. */
function handshakeType(datagram: Buffer): number | undefined {
  const plain = datagram.length > RECORD_HEADER_BYTES && datagram.readUInt16BE(3) === 0;
  return plain && datagram[0] === HANDSHAKE_RECORD ? datagram[RECORD_HEADER_BYTES] : undefined;
}

/** A ClientHello without a cookie: the first flight (or its retransmission). */
function isFirstHello(datagram: Buffer): boolean {
  if (handshakeType(datagram) !== CLIENT_HELLO) return false;
  const cookieLengthAt = HELLO_SESSION_ID_OFFSET + 1 + (datagram[HELLO_SESSION_ID_OFFSET] ?? 0);
  return datagram[cookieLengthAt] === 0;
}

/** A record of the handshake (any epoch: the encrypted Finished too), not application data. */
function isHandshakeRecord(datagram: Buffer): boolean {
  return datagram[0] === HANDSHAKE_RECORD || datagram[0] === CHANGE_CIPHER_SPEC_RECORD;
}

type Side = "offerer" | "answerer";

interface Sent {
  datagram: Buffer;
  from: Side;
}

interface Wire {
  /** Every handshake datagram either side sent, in order, to replay later. */
  sent: Sent[];
  /** Sends a datagram again from the side that first sent it. */
  replay(sent: Sent): void;
}

/** Rewrites what side `from` puts on the wire; `forward` sends a datagram to the other side. */
type Tap = (datagram: Buffer, forward: (datagram: Buffer) => void, wire: Wire & { from: Side }) => void;

interface Pair extends Wire {
  offerer: RTCPeerConnection;
  answerer: RTCPeerConnection;
  /** Both sides connected and a message crossed each way; rejects as soon as a side fails. */
  exchange(): Promise<void>;
  /** Resolves once no handshake record has been sent for `QUIET_MS`. */
  quiet(): Promise<void>;
}

const open: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pc) => pc.close()));
});

async function until(check: () => boolean, fail: () => string | undefined, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!check()) {
    const failure = fail();
    if (failure) throw new Error(`${what}: ${failure}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Two werift peers with a data channel; `tap` sees every datagram either side sends. */
async function pair(tap: Tap = (d, forward) => forward(d)): Promise<Pair> {
  const offerer = new RTCPeerConnection({ iceUseIpv6: false });
  const answerer = new RTCPeerConnection({ iceUseIpv6: false });
  open.push(offerer, answerer);
  offerer.onIceCandidate.subscribe((c) => c && void answerer.addIceCandidate(c));
  answerer.onIceCandidate.subscribe((c) => c && void offerer.addIceCandidate(c));
  const local = offerer.createDataChannel("probe");
  let remote: RTCDataChannel | undefined;
  answerer.onDataChannel.subscribe((channel) => {
    remote = channel;
  });
  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription(offerer.localDescription!);
  await answerer.setLocalDescription(await answerer.createAnswer());
  const sent: Sent[] = [];
  let lastHandshakeAt = Date.now();
  const senders = new Map<Side, (d: Buffer) => Promise<void>>();
  const replay = ({ datagram, from }: Sent) => {
    lastHandshakeAt = Date.now();
    void senders
      .get(from)?.(Buffer.from(datagram))
      .catch(() => {});
  };
  for (const [from, pc] of [
    ["offerer", offerer],
    ["answerer", answerer],
  ] as const) {
    for (const transport of pc.dtlsTransports) {
      const connection = transport.iceTransport.connection;
      const send = connection.send.bind(connection);
      senders.set(from, send);
      connection.send = async (datagram: Buffer) => {
        if (isHandshakeRecord(datagram)) {
          sent.push({ datagram: Buffer.from(datagram), from });
          lastHandshakeAt = Date.now();
        }
        tap(datagram, (d) => void send(d).catch(() => {}), { sent, replay, from });
      };
    }
  }
  // DTLS starts once ICE connects, which needs the answer: every send above is tapped.
  await offerer.setRemoteDescription(answerer.localDescription!);

  const failed = () => {
    const states = [offerer.connectionState, answerer.connectionState];
    return states.some((s) => s === "failed" || s === "closed") ? `connection states ${states.join("/")}` : undefined;
  };
  const exchange = async () => {
    await until(
      () =>
        offerer.connectionState === "connected" &&
        answerer.connectionState === "connected" &&
        local.readyState === "open" &&
        remote?.readyState === "open",
      failed,
      "both peers connected, the channel open",
    );
    const far = remote!;
    const got = { offerer: [] as string[], answerer: [] as string[] };
    const offOfferer = local.onMessage.subscribe((m) => got.offerer.push(String(m))).unSubscribe;
    const offAnswerer = far.onMessage.subscribe((m) => got.answerer.push(String(m))).unSubscribe;
    try {
      local.send("ping");
      far.send("pong");
      await until(
        () => got.offerer.includes("pong") && got.answerer.includes("ping"),
        failed,
        "a message each way over the established session",
      );
    } finally {
      offOfferer();
      offAnswerer();
    }
  };
  const quiet = () => until(() => Date.now() - lastHandshakeAt >= QUIET_MS, failed, "a quiet wire");
  return { offerer, answerer, sent, replay, exchange, quiet };
}

describe("werift DTLS handshake with repeated flights", { timeout: 60_000 }, () => {
  it("a HelloVerifyRequest that arrives twice does not fail the DTLS client", async () => {
    let doubled = 0;
    const peers = await pair((datagram, forward) => {
      if (handshakeType(datagram) === HELLO_VERIFY_REQUEST) {
        doubled++;
        forward(Buffer.from(datagram));
      }
      forward(datagram);
    });
    await peers.exchange();
    await peers.quiet();
    await peers.exchange();
    expect(doubled).toBeGreaterThan(0);
  });

  it("a client that retransmits its ClientHello before reading the answer (a stalled event loop) connects", async () => {
    // The server's HelloVerifyRequests are held until the client has sent its first ClientHello
    // twice (its retransmission timer fired), as when the client's loop is blocked meanwhile.
    const held: Array<() => void> = [];
    let firstHellos = 0;
    const peers = await pair((datagram, forward) => {
      if (isFirstHello(datagram)) firstHellos++;
      if (handshakeType(datagram) === HELLO_VERIFY_REQUEST && firstHellos < 2) {
        held.push(() => forward(datagram));
        return;
      }
      forward(datagram);
      if (firstHellos >= 2) for (const release of held.splice(0)) release();
    });
    await peers.exchange();
    await peers.quiet();
    await peers.exchange();
    expect(firstHellos).toBeGreaterThanOrEqual(2);
  });

  it("a HelloVerifyRequest with a new cookie before any ServerHello is answered with a new ClientHello", async () => {
    // The client first sees a HelloVerifyRequest with a cookie the server never issued (its
    // ClientHello carrying it is ignored), then the real one: it must answer the real cookie.
    let forged = 0;
    const peers = await pair((datagram, forward) => {
      if (handshakeType(datagram) === HELLO_VERIFY_REQUEST && forged === 0) {
        forged++;
        const fake = Buffer.from(datagram);
        fake.writeUInt8(fake.readUInt8(HVR_COOKIE_OFFSET) ^ 0xff, HVR_COOKIE_OFFSET);
        forward(fake);
      }
      forward(datagram);
    });
    await peers.exchange();
    await peers.quiet();
    await peers.exchange();
    expect(forged).toBe(1);
  });

  it("a HelloVerifyRequest repeated just after the server's Finished is ignored", async () => {
    // It reaches the client once connected, while its flight 5 is still awaiting its timer.
    let repeated = 0;
    const peers = await pair((datagram, forward, wire) => {
      forward(datagram);
      const request = wire.sent.find((s) => handshakeType(s.datagram) === HELLO_VERIFY_REQUEST);
      const encrypted = datagram[0] === HANDSHAKE_RECORD && datagram.readUInt16BE(3) === 1;
      if (request && encrypted && wire.from === request.from && repeated === 0) {
        repeated++;
        wire.replay(request);
      }
    });
    await peers.exchange();
    await peers.quiet();
    await peers.exchange();
    expect(repeated).toBe(1);
  });

  // `client` is the side that sent the ClientHello (werift picks the DTLS roles).
  const stale: Array<[string, (type: number | undefined, byClient: boolean) => boolean]> = [
    ["the ClientHellos", (t) => t === CLIENT_HELLO],
    ["flight 4 (ServerHello … ServerHelloDone)", (t, byClient) => !byClient && FLIGHT_4.includes(t ?? -1)],
    ["flight 5 (the client's certificate and key exchange)", (t, byClient) => byClient && FLIGHT_5.includes(t ?? -1)],
    ["every handshake record of both sides (Finished included)", () => true],
  ];
  it.each(stale)("%s replayed after the handshake leave the session working", async (_name, select) => {
    const peers = await pair();
    await peers.exchange();
    const client = peers.sent.find((s) => isFirstHello(s.datagram))?.from;
    const replayed = peers.sent.filter((s) => select(handshakeType(s.datagram), s.from === client));
    expect(replayed.length).toBeGreaterThan(0);
    for (const sent of replayed) peers.replay(sent);
    await peers.quiet();
    await peers.exchange();
  });
});
