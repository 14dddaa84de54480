// Tracks (modelTracks, autoResumeTracks per connect, paused state, input tracks refused,
// reactor.frames()) and tokens (fetchJwtToken's scope, connect() scoping its own token), from
// plain JavaScript against the built package.
import { describe, expect, it } from "vitest";
import { echoTestkit, failure, fetchJwtToken, nextEvent, until } from "./helpers.mjs";

const kit = echoTestkit();

const client = kit.client;
const ECHO_TRACKS = [
  { name: "main_video", kind: "video", direction: "recvonly" },
  { name: "main_audio", kind: "audio", direction: "recvonly" },
  { name: "webcam", kind: "video", direction: "sendonly" },
  { name: "mic", kind: "audio", direction: "sendonly" },
];

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("tracks", () => {
  it("autoResumeTracks: false per connect: paused until resume(), nothing flows meanwhile", async () => {
    const reactor = client();
    await reactor.connect({ autoResumeTracks: false });
    const video = reactor.track("main_video");
    expect(video.paused).toBe(true);
    expect(reactor.pausedTracks().sort()).toEqual(["main_audio", "main_video"]);
    const resumes = () =>
      kit.mock.history.dataChannel.filter(
        (d) => d.sessionId === reactor.getSessionId() && d.direction === "in" && d.message?.event === "resume_track",
      );
    await new Promise((r) => setTimeout(r, 300));
    expect(resumes()).toEqual([]);
    expect(reactor.getStats().tracks.main_video.packets).toBe(0);

    video.resume();
    expect(video.paused).toBe(false);
    expect(reactor.pausedTracks()).toEqual(["main_audio"]);
    await until(() => reactor.getStats()?.tracks.main_video.frames > 0, 15_000, "video after resume()");
    video.pause();
    expect(video.paused).toBe(true);
    await reactor.disconnect();

    // The constructor's default is back for the next connect.
    await reactor.connect();
    expect(reactor.track("main_video").paused).toBe(true); // still paused by the user…
    expect(reactor.track("main_audio").paused).toBe(false); // …the other one resumed
    await reactor.disconnect();
  });

  it("onFrame()/frames()/pause() on an input track are INVALID_ARGUMENT (thrown, or reported once the tracks are known)", async () => {
    const reactor = client();
    // Before the capabilities: a placeholder, reported when they show it is an input track.
    const early = reactor.track("webcam");
    early.onFrame(() => {});
    const reported = nextEvent(reactor, "error", (e) => e.code === "INVALID_ARGUMENT");
    await reactor.connect();
    const [error] = await reported;
    expect(error.message).toMatch(/track\('webcam'\)\.onFrame\(\).*input \(sendonly\) track/);
    expect(error.operation).toBe("track");
    for (const use of [() => reactor.track("webcam").onFrame(() => {}), () => reactor.track("webcam").pause()]) {
      expect(thrown(use)).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/input/) });
    }
    expect(thrown(() => reactor.track("webcam").frames())).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(thrown(() => reactor.track("nope"))).toMatchObject({ code: "UNKNOWN_TRACK" });
    await reactor.disconnect();
  });

  it("modelTracks: tracks checked before connecting, and the offer is built while the session waits for a GPU", async () => {
    const reactor = client({
      modelTracks: ECHO_TRACKS,
      extraArgs: { testkit: { fault: "queue-delay", ms: 3000 } },
    });
    expect(thrown(() => reactor.track("nope"))).toMatchObject({ code: "UNKNOWN_TRACK" });
    expect(thrown(() => reactor.track("webcam").onFrame(() => {}))).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(reactor.track("main_video").kind).toBe("video");

    const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === "UDPWrap").length;
    const baseline = udpSockets();
    const offered = [];
    reactor.on("status_changed", (status) => {
      if (status === "waiting") offered.push("waiting");
    });
    const connecting = reactor.connect();
    // While the coordinator still says WAITING (no GPU yet), the client's peer connection exists
    // and has gathered its candidates: the offer is ready before the session is.
    await until(() => offered.length > 0, 10_000, "waiting");
    await until(() => udpSockets() > baseline, 5_000, "the client's ICE sockets");
    const session = kit.mock.session(reactor.getSessionId());
    expect(session?.gpuId).toBeUndefined();
    await connecting;
    const offer = kit.mock.history.http.find(
      (c) =>
        c.sessionId === reactor.getSessionId() && c.method === "POST" && /\/connections\/\d+\/sdp_params$/.test(c.path),
    );
    // The offer built ahead was used: its transceivers follow modelTracks' order.
    expect(offer.body.track_mapping.map((t) => t.name)).toEqual(ECHO_TRACKS.map((t) => t.name));
    expect(reactor.getCapabilities().tracks.map((t) => t.name)).not.toEqual(ECHO_TRACKS.map((t) => t.name));
    await until(() => reactor.getStats()?.tracks.main_video?.frames > 0, 15_000, "frames");
    await reactor.disconnect();
  });

  it("reactor.frames(): the main video track's iterator, usable before connect(), ending on disconnect()", async () => {
    const reactor = client();
    const frames = reactor.frames();
    const seen = [];
    const reading = (async () => {
      for await (const frame of frames) {
        seen.push(frame);
        if (seen.length === 3) break;
      }
    })();
    let viaOnFrame = 0;
    reactor.onFrame(() => viaOnFrame++);
    await reactor.connect();
    await reading;
    expect(seen.map((f) => [f.format, f.width, f.height])).toEqual([
      ["rgb24", 160, 96],
      ["rgb24", 160, 96],
      ["rgb24", 160, 96],
    ]);
    await until(() => viaOnFrame > 0, 15_000, "onFrame on the same track");
    // A second iterator ends when the session does.
    const second = reactor.frames();
    const ended = (async () => {
      let n = 0;
      for await (const _ of second) n++;
      return n;
    })();
    await reactor.disconnect();
    expect(await ended).toBeGreaterThanOrEqual(0);
  });
});

describe("tokens", () => {
  const tokenBodies = () => kit.mock.history.http.filter((c) => c.path === "/tokens").map((c) => c.body);

  it("connect() mints a token scoped to its model; adopting mints an unscoped one (a scoped token cannot reach the session)", async () => {
    kit.mock.history.clear();
    const owner = client();
    await owner.connect();
    expect(tokenBodies()).toEqual([
      { authorization_details: [{ type: "session", resources: { models: { match: ["echo"] } } }] },
    ]);
    const adopter = client();
    await adopter.connect({ sessionId: owner.getSessionId() });
    expect(tokenBodies()[1]).toBeNull();
    expect(adopter.getStatus()).toBe("ready");
    await adopter.disconnect();
    await owner.disconnect();
  });

  it("fetchJwtToken(apiKey, {apiUrl, models, maxSessions, expiresAfter}) and the seed's fetchJwtToken(apiKey, apiUrl)", async () => {
    kit.mock.history.clear();
    const plain = await fetchJwtToken(kit.mock.apiKey, kit.mock.url);
    expect(typeof plain).toBe("string");
    const once = await fetchJwtToken(kit.mock.apiKey, {
      apiUrl: kit.mock.url,
      models: ["echo"],
      maxSessions: 1,
      expiresAfter: 600,
    });
    expect(tokenBodies()).toEqual([
      null,
      {
        expires_after: 600,
        authorization_details: [
          { type: "session", resources: { models: { match: ["echo"] } }, constraints: { max_sessions: 1 } },
        ],
      },
    ]);
    const first = kit.make({ modelName: "echo", jwt: once, apiUrl: kit.mock.url });
    await first.connect();
    const second = kit.make({ modelName: "echo", jwt: once, apiUrl: kit.mock.url });
    const refused = await failure(() => second.connect());
    expect(refused).toMatchObject({ code: "UNAUTHORIZED", operation: "connect" });
    expect(refused.message).toMatch(/at most 1 sessions/);
    await first.disconnect();

    for (const [args, pattern] of [
      [[kit.mock.apiKey, { apiUrl: kit.mock.url, models: "echo" }], /models' must be a non-empty array/],
      [[kit.mock.apiKey, { apiurl: kit.mock.url }], /unknown option 'apiurl'/],
      [[kit.mock.apiKey, { apiUrl: kit.mock.url, maxSessions: 0 }], /maxSessions/],
      [[kit.mock.apiKey, "not a url"], /API URL/],
      [[""], /non-empty API key/],
    ]) {
      const error = await failure(() => fetchJwtToken(...args));
      expect(error).toMatchObject({ code: "INVALID_ARGUMENT" });
      expect(error.message).toMatch(pattern);
    }
  });
});
