import { z } from "zod";
import { CONNECTION_ID_MAX, LEGACY_CONNECTION_ID } from "../constants.js";
import { ClientInfoSchema, TrackDirectionSchema, TrackKindSchema } from "./session.js";

/** One ICE server (§4 step 1). */
export const IceServerSchema = z.object({
  uris: z.array(z.string()),
  credentials: z.object({ username: z.string(), password: z.string() }).optional(),
});
export type IceServerWire = z.infer<typeof IceServerSchema>;

/** `GET T/ice_servers` body; an empty list is valid. */
export const IceServersResponseSchema = z.object({ ice_servers: z.array(IceServerSchema) });
export type IceServersResponseWire = z.infer<typeof IceServersResponseSchema>;

/** An ICE server in the shape WebRTC stacks take (`RTCIceServer`). */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** wire → API (`RTCIceServer` shape). */
export function iceServersFromWire(wire: IceServersResponseWire): IceServer[] {
  return wire.ice_servers.map((s) => ({
    urls: [...s.uris],
    ...(s.credentials && { username: s.credentials.username, credential: s.credentials.password }),
  }));
}

/** A connection id as the service issues it. */
export const ConnectionIdSchema = z.number().int().min(LEGACY_CONNECTION_ID).max(CONNECTION_ID_MAX);

/** `POST T/connections` 201 body (the runtime adds `track_map`, tolerated). */
export const ConnectionResponseSchema = z.object({ connection_id: ConnectionIdSchema });
export type ConnectionResponseWire = z.infer<typeof ConnectionResponseSchema>;

/** A caller-supplied pre-registered connection id must satisfy `1000 < id ≤ 9999` (§4 step 2). */
export function isValidPreRegisteredConnectionId(id: unknown): id is number {
  return typeof id === "number" && Number.isInteger(id) && id > 1000 && id <= CONNECTION_ID_MAX;
}

/** One `track_mapping` entry: which mid carries which capability track. */
export const TrackMappingEntrySchema = z.object({
  mid: z.string(),
  name: z.string().min(1),
  kind: TrackKindSchema,
  direction: TrackDirectionSchema,
});
export type TrackMappingEntry = z.infer<typeof TrackMappingEntrySchema>;

/** SDP offer body, for `POST`/`PUT T/connections/{cid}/sdp_params` and legacy `T/sdp_params`. */
export const SdpOfferRequestSchema = z.object({
  sdp_offer: z.string().min(1),
  client_info: ClientInfoSchema,
  track_mapping: z.array(TrackMappingEntrySchema),
});
export type SdpOfferRequestWire = z.infer<typeof SdpOfferRequestSchema>;

/** 202 body of an offer. */
export const SdpOfferResponseSchema = z.object({ connection_id: ConnectionIdSchema.optional() });
export type SdpOfferResponseWire = z.infer<typeof SdpOfferResponseSchema>;

/** 200 body of the answer poll; consumed by the first 200. */
export const SdpAnswerResponseSchema = z.object({
  sdp_answer: z.string().min(1),
  connection_id: ConnectionIdSchema.optional(),
});
export type SdpAnswerResponseWire = z.infer<typeof SdpAnswerResponseSchema>;

/** One trickled candidate. */
export const IceCandidateSchema = z.object({
  candidate: z.string(),
  sdp_mid: z.string().nullable().optional(),
  sdp_mline_index: z.number().int().nonnegative().nullable().optional(),
});
export type IceCandidateWire = z.infer<typeof IceCandidateSchema>;

/** `POST T/connections/{cid}/ice_candidates` body. */
export const IceCandidatesRequestSchema = z.object({
  candidates: z.array(IceCandidateSchema),
  is_final: z.boolean(),
  client_info: ClientInfoSchema.optional(),
});
export type IceCandidatesRequestWire = z.infer<typeof IceCandidatesRequestSchema>;

/** A candidate in the shape WebRTC stacks emit (`RTCIceCandidateInit`). */
export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** API → wire */
export function iceCandidateToWire(c: IceCandidateInit): IceCandidateWire {
  return {
    candidate: c.candidate,
    ...(c.sdpMid !== undefined && { sdp_mid: c.sdpMid }),
    ...(c.sdpMLineIndex !== undefined && { sdp_mline_index: c.sdpMLineIndex }),
  };
}

/** wire → API */
export function iceCandidateFromWire(c: IceCandidateWire): IceCandidateInit {
  return {
    candidate: c.candidate,
    ...(c.sdp_mid !== undefined && { sdpMid: c.sdp_mid }),
    ...(c.sdp_mline_index !== undefined && { sdpMLineIndex: c.sdp_mline_index }),
  };
}
