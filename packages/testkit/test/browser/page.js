// The browser side of test/browser.test.ts: plain fetch + WebRTC speaking the protocol to the
// testkit (a different origin, so every call is a CORS request), drawing `main_video` to a
// canvas and reading the test pattern back with the injected `readPattern`.
/* global readPattern */
window.__log = [];
window.__readings = [];
window.__messages = [];
const log = (m) => window.__log.push(`${Math.round(performance.now())} ${m}`);

async function run() {
  const params = new URLSearchParams(location.search);
  const api = params.get("api");
  const key = params.get("key");
  // legacy = shaped like the official JS SDK without connection ids: no control channel, only
  // Reactor-WebRTC-Version on transport calls, T/sdp_params + T/ice_candidates, no resume_track.
  const legacy = params.get("mode") === "legacy";
  const base = { "Reactor-API-Version": "1", "Reactor-API-Accept-Version": "1" };
  const call = async (path, { method = "GET", body, jwt, webrtc } = {}) => {
    const headers = legacy && webrtc ? {} : { ...base };
    if (jwt) headers.Authorization = `Bearer ${jwt}`;
    if (webrtc) headers["Reactor-WebRTC-Version"] = "1.0";
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(api + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const tok = await fetch(`${api}/tokens`, { method: "POST", headers: { "Reactor-API-Key": key } }).then((r) =>
    r.json(),
  );
  const jwt = tok.jwt;
  log("token");
  const created = await call("/sessions", {
    method: "POST",
    jwt,
    body: {
      model: { name: "echo" },
      client_info: { sdk_version: "0.0.0", sdk_type: "browser-test" },
      supported_transports: [{ protocol: "webrtc", version: "1.0" }],
    },
  });
  const sid = created.body.session_id;
  window.__sessionId = sid;
  let session;
  for (;;) {
    session = (await call(`/sessions/${sid}`, { jwt })).body;
    if (session.capabilities && session.selected_transport) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`ready ${session.state}`);
  const T = `/sessions/${sid}/transport/webrtc`;
  const ice = (await call(`${T}/ice_servers`, { jwt, webrtc: true })).body.ice_servers;
  const cid = legacy
    ? 1001
    : (await call(`${T}/connections`, { method: "POST", jwt, webrtc: true })).body.connection_id;
  const C = legacy ? T : `${T}/connections/${cid}`;
  const pc = new RTCPeerConnection({ iceServers: ice.map((s) => ({ urls: s.uris })) });
  const control = legacy ? null : pc.createDataChannel("control");
  const data = pc.createDataChannel("data");
  const transceivers = session.capabilities.tracks.map((t) => pc.addTransceiver(t.kind, { direction: t.direction }));
  const pending = [];
  let offered = false;
  const flush = async (isFinal) => {
    const candidates = pending.splice(0);
    if (!offered || (candidates.length === 0 && !isFinal)) return;
    await call(`${C}/ice_candidates`, {
      method: "POST",
      jwt,
      webrtc: true,
      body: { candidates, is_final: isFinal },
    });
  };
  pc.onicecandidate = (e) => {
    if (e.candidate) {
      pending.push({
        candidate: e.candidate.candidate,
        sdp_mid: e.candidate.sdpMid,
        sdp_mline_index: e.candidate.sdpMLineIndex,
      });
      void flush(false);
    } else void flush(true);
  };
  const video = document.querySelector("video");
  pc.ontrack = (e) => {
    if (e.track.kind === "video") video.srcObject = new MediaStream([e.track]);
  };
  await pc.setLocalDescription(await pc.createOffer());
  const mapping = transceivers.map((tr, i) => ({ mid: tr.mid, ...session.capabilities.tracks[i] }));
  const offer = await call(`${C}/sdp_params`, {
    method: "POST",
    jwt,
    webrtc: true,
    body: {
      sdp_offer: pc.localDescription.sdp,
      client_info: { sdk_version: "0.0.0", sdk_type: "browser-test" },
      track_mapping: mapping,
    },
  });
  log(`offer ${offer.status}`);
  offered = true;
  await flush(pc.iceGatheringState === "complete");
  for (;;) {
    const answer = await call(`${C}/sdp_params`, { jwt, webrtc: true });
    if (answer.status === 200) {
      await pc.setRemoteDescription({ type: "answer", sdp: answer.body.sdp_answer });
      break;
    }
    if (answer.status !== 202) throw new Error(`answer poll ${answer.status} ${JSON.stringify(answer.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  log("answered");
  await new Promise((resolve) => {
    const check = () => {
      if (pc.connectionState === "connected" && data.readyState === "open" && (legacy || control.readyState === "open"))
        resolve();
      else setTimeout(check, 20);
    };
    check();
  });
  log("connected");
  data.onmessage = (e) => window.__messages.push(JSON.parse(e.data));
  data.send(JSON.stringify({ scope: "runtime", data: { type: "requestSchema", data: {} } }));
  for (const t of session.capabilities.tracks) {
    if (t.direction === "recvonly" && control)
      control.send(JSON.stringify({ type: "notification", event: "resume_track", data: { name: t.name } }));
  }
  setInterval(() => data.send(JSON.stringify({ scope: "runtime", data: { type: "ping", data: {} } })), 5000);
  window.__command = (type, payload) =>
    data.send(JSON.stringify({ scope: "application", data: { type, data: payload } }));
  const canvas = document.querySelector("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const sample = () => {
    if (video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const reading = readPattern(img.data, canvas.width, canvas.height, undefined, 4);
      if (reading) window.__readings.push({ ...reading, width: canvas.width, height: canvas.height });
    }
    video.requestVideoFrameCallback(sample);
  };
  video.requestVideoFrameCallback(sample);
}

run().catch((e) => log(`error ${e?.stack ?? e}`));
