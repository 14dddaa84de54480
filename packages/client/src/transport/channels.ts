/**
 * The two data channels of a connection (`control`, `data`): open/closed tracking, inbound
 * frames and size-checked, paced sends. Decoding is the session's job; this file only moves
 * frames. Sends go through the protocol's PacedSender: werift stalls on bursts handed to it at
 * once and cannot send an empty message, so each channel has a bounded outbound queue that is
 * fed to werift in small batches (SEND_QUEUE_FULL when it is full).
 */
import {
  type ChannelLabel,
  emptyMessageSender,
  type OutboundMessage,
  PacedSender,
  type ReactorError,
  reactorError,
  utf8ByteLength,
} from "@reactor-node/protocol";
import type { RTCDataChannel } from "werift";

/** What the channels report. */
export interface ChannelEvents {
  onFrame(label: ChannelLabel, frame: string | Buffer): void;
  /** A channel opened or closed. */
  onStateChange(label: ChannelLabel, state: string): void;
  /** A queued message could not be sent after `send()` accepted it (or was dropped at close). */
  onSendFailed?(label: ChannelLabel, error: ReactorError): void;
}

/** `control` + `data` of one peer connection. */
export class DataChannels {
  private readonly channels: Record<ChannelLabel, RTCDataChannel>;
  private readonly senders: Record<ChannelLabel, PacedSender>;
  private readonly unsubscribe: Array<() => void> = [];
  private closedLabel: ChannelLabel | undefined;
  private isClosed = false;

  constructor(control: RTCDataChannel, data: RTCDataChannel, events: ChannelEvents) {
    this.channels = { control, data };
    const failed = (label: ChannelLabel, error: ReactorError) => events.onSendFailed?.(label, error);
    const sender = (label: ChannelLabel): PacedSender => {
      const channel = this.channels[label];
      const sendFailed = (cause: unknown) =>
        failed(
          label,
          reactorError("DATA_CHANNEL_CLOSED", `Sending on '${label}' failed: ${(cause as Error)?.message}`, { cause }),
        );
      const sendEmpty = emptyMessageSender(channel, sendFailed);
      return new PacedSender(channel, {
        label,
        ...(sendEmpty && { sendEmpty }),
        onSendFailed: sendFailed,
        onDropped: (count) =>
          failed(
            label,
            reactorError("DATA_CHANNEL_CLOSED", `${count} queued message(s) on '${label}' were not sent: it closed`),
          ),
      });
    };
    this.senders = { control: sender("control"), data: sender("data") };
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

  /** Messages waiting in a channel's outbound queue. */
  queued(label: ChannelLabel): number {
    return this.senders[label].queued;
  }

  /**
   * Queues a text (v0) or binary (v1) frame for sending. Throws MESSAGE_TOO_LARGE above
   * `limitBytes` (UTF-8 or raw bytes, as SCTP measures), NOT_READY when the channel is not
   * open, SEND_QUEUE_FULL when its outbound queue is full.
   */
  send(label: ChannelLabel, frame: OutboundMessage, limitBytes: number): void {
    const size = typeof frame === "string" ? utf8ByteLength(frame) : frame.byteLength;
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
    // werift copies anything that is not a Buffer: hand it a view instead.
    this.senders[label].send(
      typeof frame === "string" ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength),
    );
  }

  /** Stops listening, drops what is queued (reported) and closes both channels (idempotent). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const off of this.unsubscribe) off();
    for (const sender of Object.values(this.senders)) sender.close();
    for (const channel of Object.values(this.channels)) {
      try {
        if (channel.readyState !== "closed") channel.close();
      } catch {
        // already gone with the transport
      }
    }
  }
}
