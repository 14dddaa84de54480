// A minimal werift receiver for the benchmark: signals over HTTP like any client, resumes
// main_video and counts VP8 frames (no decoding: the number measured is the testkit's).
import { rtpCodecs } from "@reactor-node/protocol";
import { RTCPeerConnection, RTCRtpCodecParameters } from "werift";

const V = { "Reactor-API-Version": "1", "Reactor-API-Accept-Version": "1", "Reactor-WebRTC-Version": "1.0" };

async function call(base, path, { method = "GET", body, jwt, key } = {}) {
  const headers = { ...V };
  if (jwt) headers.Authorization = `Bearer ${jwt}`;
  if (key) headers["Reactor-API-Key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function token(base, key) {
  return (await call(base, "/tokens", { method: "POST", key })).body.jwt;
}

/** Creates a session, connects, resumes; resolves with a receiver counting frames. */
export async function receive(base, jwt) {
  const t0 = performance.now();
  const created = await call(base, "/sessions", {
    method: "POST",
    jwt,
    body: {
      model: { name: "echo" },
      client_info: { sdk_version: "0.0.0", sdk_type: "bench" },
      supported_transports: [{ protocol: "webrtc", version: "1.0" }],
    },
  });
  const sid = created.body.session_id;
  let session;
  for (;;) {
    session = (await call(base, `/sessions/${sid}`, { jwt })).body;
    if (session.capabilities) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const T = `/sessions/${sid}/transport/webrtc`;
  const cid = (await call(base, `${T}/connections`, { method: "POST", jwt })).body.connection_id;
  const pc = new RTCPeerConnection({
    codecs: rtpCodecs((codec) => new RTCRtpCodecParameters(codec)),
    iceUseIpv6: false,
    bundlePolicy: "max-bundle",
  });
  const control = pc.createDataChannel("control");
  const data = pc.createDataChannel("data");
  const tracks = session.capabilities.tracks;
  for (const t of tracks) pc.addTransceiver(t.kind, { direction: t.direction });
  const stats = { frames: 0, firstFrameMs: undefined, windowStart: 0, windowFrames: 0, windowBytes: 0 };
  pc.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe((rtp) => {
      stats.windowBytes += rtp.payload.length;
      if (!rtp.header.marker) return;
      stats.frames++;
      stats.windowFrames++;
      stats.firstFrameMs ??= performance.now() - t0;
    });
  });
  await pc.setLocalDescription(await pc.createOffer());
  while (pc.iceGatheringState !== "complete") await new Promise((r) => setTimeout(r, 10));
  const mapping = pc.getTransceivers().map((tr, i) => ({ mid: tr.mid, ...tracks[i] }));
  await call(base, `${T}/connections/${cid}/sdp_params`, {
    method: "POST",
    jwt,
    body: {
      sdp_offer: pc.localDescription.sdp,
      client_info: { sdk_version: "0", sdk_type: "bench" },
      track_mapping: mapping,
    },
  });
  for (;;) {
    const a = await call(base, `${T}/connections/${cid}/sdp_params`, { jwt });
    if (a.status === 200) {
      await pc.setRemoteDescription({ type: "answer", sdp: a.body.sdp_answer });
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  while (!(pc.connectionState === "connected" && control.readyState === "open" && data.readyState === "open")) {
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const t of tracks) {
    if (t.direction === "recvonly")
      control.send(JSON.stringify({ type: "notification", event: "resume_track", data: { name: t.name } }));
  }
  const ping = setInterval(
    () => data.send(JSON.stringify({ scope: "runtime", data: { type: "ping", data: {} } })),
    5000,
  );
  return {
    stats,
    startWindow() {
      stats.windowStart = performance.now();
      stats.windowFrames = 0;
      stats.windowBytes = 0;
    },
    kbps() {
      return (stats.windowBytes * 8) / (performance.now() - stats.windowStart);
    },
    fps() {
      return (stats.windowFrames * 1000) / (performance.now() - stats.windowStart);
    },
    async close() {
      clearInterval(ping);
      await pc.close();
      await call(base, `/sessions/${sid}`, { method: "DELETE", jwt });
    },
  };
}
