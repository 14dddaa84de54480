/**
 * The two data channels of a connection (`control`, `data`): open/closed tracking, inbound
 * frames and size-checked sends. Decoding is the session's job; this file only moves frames.
 */
import { type ChannelLabel, reactorError, utf8ByteLength } from "@reactor-node/protocol";
import type { RTCDataChannel } from "werift";

/** What the channels report. */
export interface ChannelEvents {
  onFrame(label: ChannelLabel, frame: string | Buffer): void;
  /** A channel opened or closed. */
  onStateChange(label: ChannelLabel, state: string): void;
}

/** `control` + `data` of one peer connection. */
export class DataChannels {
  private readonly channels: Record<ChannelLabel, RTCDataChannel>;
  private readonly unsubscribe: Array<() => void> = [];
  private closedLabel: ChannelLabel | undefined;
  private isClosed = false;

  constructor(control: RTCDataChannel, data: RTCDataChannel, events: ChannelEvents) {
    this.channels = { control, data };
    for (const label of ["control", "data"] as const) {
      const channel = this.channels[label];
      this.unsubscribe.push(
        channel.onMessage.subscribe((frame) => {
          if (!this.isClosed) events.onFrame(label, frame);
        }).unSubscribe,
        channel.stateChanged.subscribe((state) => {
          if (this.isClosed) return;
          if (state === "closed" || state === "closing") this.closedLabel ??= label;
          events.onStateChange(label, state);
        }).unSubscribe,
      );
    }
  }

  /** True when both channels are open. */
  get open(): boolean {
    return this.channels.control.readyState === "open" && this.channels.data.readyState === "open";
  }

  /** The first channel that closed, if any. */
  get closed(): ChannelLabel | undefined {
    return this.closedLabel;
  }

  /**
   * Sends a text (v0) or binary (v1) frame. Throws MESSAGE_TOO_LARGE above `limitBytes` (UTF-8
   * or raw bytes, as SCTP measures), NOT_READY when the channel is not open.
   */
  send(label: ChannelLabel, payload: string | Uint8Array, limitBytes: number): void {
    const size = typeof payload === "string" ? utf8ByteLength(payload) : payload.byteLength;
    if (size > limitBytes) {
      throw reactorError(
        "MESSAGE_TOO_LARGE",
        `Message of ${size} bytes exceeds the ${limitBytes}-byte limit of '${label}'`,
      );
    }
    const channel = this.channels[label];
    if (this.isClosed || channel.readyState !== "open") {
      throw reactorError(
        "NOT_READY",
        `The '${label}' data channel is ${this.isClosed ? "closed" : channel.readyState}`,
      );
    }
    try {
      channel.send(
        typeof payload === "string" ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
      );
    } catch (cause) {
      throw reactorError("DATA_CHANNEL_CLOSED", `Sending on '${label}' failed: ${(cause as Error)?.message}`, {
        cause,
      });
    }
  }

  /** Stops listening and closes both channels (idempotent). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const off of this.unsubscribe) off();
    for (const channel of Object.values(this.channels)) {
      try {
        if (channel.readyState !== "closed") channel.close();
      } catch {
        // already gone with the transport
      }
    }
  }
}
