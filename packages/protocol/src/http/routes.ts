/** Route builders (§3, §4, §8): one place that knows the paths. */
const enc = encodeURIComponent;

export const routes = {
  tokens: () => "/tokens",
  sessions: () => "/sessions",
  session: (sid: string) => `/sessions/${enc(sid)}`,
  sessionInfo: (sid: string) => `/sessions/${enc(sid)}/info`,
  uploads: (sid: string) => `/sessions/${enc(sid)}/uploads`,
  transport: (sid: string) => `/sessions/${enc(sid)}/transport/webrtc`,
  iceServers: (sid: string) => `/sessions/${enc(sid)}/transport/webrtc/ice_servers`,
  connections: (sid: string) => `/sessions/${enc(sid)}/transport/webrtc/connections`,
  sdpParams: (sid: string, cid: number) => `/sessions/${enc(sid)}/transport/webrtc/connections/${cid}/sdp_params`,
  iceCandidates: (sid: string, cid: number) =>
    `/sessions/${enc(sid)}/transport/webrtc/connections/${cid}/ice_candidates`,
  legacySdpParams: (sid: string) => `/sessions/${enc(sid)}/transport/webrtc/sdp_params`,
  local: {
    startSession: () => "/start_session",
    session: () => "/session",
    stopSession: () => "/stop_session",
    schema: () => "/schema",
    health: () => "/health",
    upload: (uploadId: string) => `/uploads/${enc(uploadId)}`,
  },
} as const;
