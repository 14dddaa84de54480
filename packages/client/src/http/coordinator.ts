/**
 * The coordinator's HTTP API (docs/protocol.md §3, §4, §8) as typed calls. Knows hosted vs local
 * routes, which headers each route needs and which success status each returns; validation and
 * error mapping live in `fetch-json.ts`. The JWT source is resolved before every request.
 */
import {
  buildRequestHeaders,
  ConnectionResponseSchema,
  createSessionRequest,
  type IceCandidatesRequestWire,
  type IceServer,
  IceServersResponseSchema,
  iceServersFromWire,
  isWebRtcTransportPath,
  routes,
  SdpAnswerResponseSchema,
  type SdpOfferRequestWire,
  SdpOfferResponseSchema,
  type SessionDescriptor,
  SessionResponseSchema,
  sessionFromWire,
  type UploadSlot,
  type UploadSlotRequestWire,
  UploadSlotSchema,
  uploadSlotFromWire,
} from "@reactor-node/protocol";
import type { z } from "zod";
import type { JwtSource } from "./bearer-token.js";
import { type ExpectedStatuses, fetchJson, type HttpOptions, type HttpResult } from "./fetch-json.js";
import { joinUrl } from "./url.js";

/** Options of a {@link Coordinator}. */
export interface CoordinatorOptions extends HttpOptions {
  baseUrl: string;
  /** Local mode (§8): runtime routes, no auth on lifecycle calls. */
  local: boolean;
  /** Bearer token source (hosted mode). */
  jwt?: JwtSource;
}

/** What the answer poll saw. */
export type AnswerPoll = { pending: true } | { pending: false; sdpAnswer: string; connectionId?: number };

type Method = "GET" | "POST" | "PUT" | "DELETE";

/** Typed access to the coordinator (or a runtime in local mode). */
export class Coordinator {
  constructor(private readonly options: CoordinatorOptions) {}

  /** The base URL requests go to. */
  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** True in local mode. */
  get local(): boolean {
    return this.options.local;
  }

  /** The `Authorization` value hosted requests carry (resolved now), or undefined locally / without credentials. */
  async authorization(signal?: AbortSignal): Promise<string | undefined> {
    const jwt = this.local || !this.options.jwt ? "" : await this.options.jwt.resolve(signal);
    return jwt ? `Bearer ${jwt}` : undefined;
  }

  /** `POST /sessions` (201) or, locally, `POST /start_session` (200, full descriptor at once). */
  async createSession(
    modelName: string,
    extraArgs: Record<string, unknown> | undefined,
    signal?: AbortSignal,
  ): Promise<SessionDescriptor> {
    if (this.local) {
      const r = await this.call(
        "POST",
        routes.local.startSession(),
        { 200: SessionResponseSchema, 201: SessionResponseSchema },
        signal,
        extraArgs === undefined ? {} : { extra_args: extraArgs },
      );
      return sessionFromWire(r.body as z.infer<typeof SessionResponseSchema>);
    }
    const r = await this.call(
      "POST",
      routes.sessions(),
      { 200: SessionResponseSchema, 201: SessionResponseSchema },
      signal,
      createSessionRequest(modelName, extraArgs),
    );
    return sessionFromWire(r.body as z.infer<typeof SessionResponseSchema>);
  }

  /** `GET /sessions/{id}` (locally `GET /session`). */
  async getSession(sessionId: string, signal?: AbortSignal): Promise<SessionDescriptor> {
    const path = this.local ? routes.local.session() : routes.session(sessionId);
    const r = await this.call("GET", path, { 200: SessionResponseSchema }, signal);
    return sessionFromWire(r.body as z.infer<typeof SessionResponseSchema>);
  }

  /** `DELETE /sessions/{id}` (404 counts as success) or, locally, `POST /stop_session`. */
  async endSession(sessionId: string, reason: string | undefined, signal?: AbortSignal): Promise<void> {
    if (this.local) {
      await this.call("POST", routes.local.stopSession(), okStatuses(), signal, reason === undefined ? {} : { reason });
      return;
    }
    // docs/protocol.md §3: the body (and so Content-Type) only when there is a reason.
    const body = reason === undefined ? undefined : { reason };
    await this.call("DELETE", routes.session(sessionId), { ...okStatuses(), 404: null }, signal, body);
  }

  /** `GET T/ice_servers` as `RTCIceServer`s (an empty list is valid). */
  async getIceServers(sessionId: string, signal?: AbortSignal): Promise<IceServer[]> {
    const r = await this.call("GET", routes.iceServers(sessionId), { 200: IceServersResponseSchema }, signal);
    return iceServersFromWire(r.body as z.infer<typeof IceServersResponseSchema>);
  }

  /** `POST T/connections` → the new connection id. */
  async registerConnection(sessionId: string, signal?: AbortSignal): Promise<number> {
    const r = await this.call(
      "POST",
      routes.connections(sessionId),
      { 200: ConnectionResponseSchema, 201: ConnectionResponseSchema },
      signal,
    );
    return (r.body as z.infer<typeof ConnectionResponseSchema>).connection_id;
  }

  /** `POST` (first offer) or `PUT` (re-offer) `T/connections/{cid}/sdp_params` → the id the server confirmed, if any. */
  async sendOffer(
    sessionId: string,
    connectionId: number,
    method: "POST" | "PUT",
    body: SdpOfferRequestWire,
    signal?: AbortSignal,
  ): Promise<number | undefined> {
    const schema = SdpOfferResponseSchema;
    const r = await this.call(
      method,
      routes.sdpParams(sessionId, connectionId),
      { 200: schema, 201: schema, 202: schema },
      signal,
      body,
    );
    return (r.body as z.infer<typeof schema>).connection_id;
  }

  /** `POST T/connections/{cid}/ice_candidates`. */
  async sendCandidates(
    sessionId: string,
    connectionId: number,
    body: IceCandidatesRequestWire,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.call("POST", routes.iceCandidates(sessionId, connectionId), okStatuses(), signal, body);
  }

  /** `GET T/connections/{cid}/sdp_params`: 202 = pending, 200 = the answer (consumed). */
  async getAnswer(sessionId: string, connectionId: number, signal?: AbortSignal): Promise<AnswerPoll> {
    const r = await this.call(
      "GET",
      routes.sdpParams(sessionId, connectionId),
      { 200: SdpAnswerResponseSchema, 202: null },
      signal,
    );
    if (r.status === 202) return { pending: true };
    const body = r.body as z.infer<typeof SdpAnswerResponseSchema>;
    return {
      pending: false,
      sdpAnswer: body.sdp_answer,
      ...(body.connection_id !== undefined && { connectionId: body.connection_id }),
    };
  }

  /** `POST /sessions/{id}/uploads` (201) → where to PUT the bytes. */
  async createUploadSlot(sessionId: string, body: UploadSlotRequestWire, signal?: AbortSignal): Promise<UploadSlot> {
    const r = await this.call(
      "POST",
      routes.uploads(sessionId),
      { 200: UploadSlotSchema, 201: UploadSlotSchema },
      signal,
      body,
    );
    return uploadSlotFromWire(r.body as z.infer<typeof UploadSlotSchema>);
  }

  private async call(
    method: Method,
    path: string,
    expect: ExpectedStatuses,
    signal: AbortSignal | undefined,
    json?: unknown,
  ): Promise<HttpResult> {
    // Local mode has no auth on lifecycle calls; the JWT is resolved before every hosted request.
    const jwt = this.local || !this.options.jwt ? "" : await this.options.jwt.resolve(signal);
    return fetchJson({
      method,
      url: joinUrl(this.options.baseUrl, path),
      headers: buildRequestHeaders({ jwt, webrtc: isWebRtcTransportPath(path), json: json !== undefined }),
      ...(json !== undefined && { json }),
      expect,
      request: `${method} ${path}`,
      signal,
      timeoutMs: this.options.timeoutMs,
      maxResponseBytes: this.options.maxResponseBytes,
    });
  }
}

function okStatuses(): ExpectedStatuses {
  return { 200: null, 201: null, 202: null, 204: null };
}
