/**
 * Polling for the SDP answer (docs/protocol.md §4 step 5): `GET …/sdp_params` answers 202 while
 * pending and 200 once, with the answer (the server gathers its candidates first, so the answer
 * is complete). Budget 200 ms ×2, cap 15 s, 6 attempts by default. A different `connection_id`
 * in the answer is adopted by the caller.
 */
import { isReactorError, type ReactorError, reactorError, retryAfterMs, sdpPollDelayMs } from "@reactor-node/protocol";
import { sleep } from "../abort.js";
import type { Coordinator } from "../http/coordinator.js";

/** The answer and the connection id the server confirmed. */
export interface SdpAnswer {
  sdp: string;
  connectionId?: number;
}

/** Polls until the answer arrives or the budget (`maxAttempts`) is spent. */
export async function pollForAnswer(
  coordinator: Coordinator,
  sessionId: string,
  connectionId: number,
  options: { signal?: AbortSignal; maxAttempts?: number } = {},
): Promise<SdpAnswer> {
  let lastError: ReactorError | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const poll = await coordinator.getAnswer(sessionId, connectionId, options.signal);
      if (!poll.pending) {
        return { sdp: poll.sdpAnswer, ...(poll.connectionId !== undefined && { connectionId: poll.connectionId }) };
      }
      lastError = undefined;
    } catch (error) {
      if (!isReactorError(error) || !error.recoverable || error.code === "ABORTED") throw error;
      lastError = error;
    }
    const delay = sdpPollDelayMs(attempt, options.maxAttempts);
    if (delay === null) {
      throw reactorError("TIMEOUT", `No SDP answer for connection ${connectionId} within the polling budget`, {
        ...(lastError && { cause: lastError }),
        ...(lastError?.retryAfter !== undefined && { retryAfter: lastError.retryAfter }),
      });
    }
    await sleep(Math.max(delay, retryAfterMs(lastError?.retryAfter)), options.signal);
  }
}
