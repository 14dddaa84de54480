/**
 * Polling for the SDP answer (docs/protocol.md §4 step 5): `GET …/sdp_params` answers 202 while
 * pending and 200 once, with the answer (the server gathers its candidates first, so the answer
 * is complete). Budget 200 ms ×2, cap 15 s, 6 attempts by default. A different `connection_id`
 * in the answer is adopted by the caller.
 */
import { SDP_POLL_SCHEDULE } from "@reactor-node/protocol";
import type { Coordinator } from "../http/coordinator.js";
import { budgetSpent, poll } from "../http/poll.js";

/** The answer and the connection id the server confirmed. */
export interface SdpAnswer {
  sdp: string;
  connectionId?: number;
}

/** Polls until the answer arrives or the budget (`maxAttempts`) is spent. */
export function pollForAnswer(
  coordinator: Coordinator,
  sessionId: string,
  connectionId: number,
  options: { signal?: AbortSignal; maxAttempts?: number } = {},
): Promise<SdpAnswer> {
  return poll<SdpAnswer>({
    attempt: async () => {
      const answer = await coordinator.getAnswer(sessionId, connectionId, options.signal);
      if (answer.pending) return { done: false };
      const value = {
        sdp: answer.sdpAnswer,
        ...(answer.connectionId !== undefined && { connectionId: answer.connectionId }),
      };
      return { done: true, value };
    },
    schedule: { ...SDP_POLL_SCHEDULE, ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }) },
    exhausted: (lastError) =>
      budgetSpent(`No SDP answer for connection ${connectionId} within the polling budget`, lastError),
    ...(options.signal && { signal: options.signal }),
  });
}
