/**
 * Paced sending on a data channel, for both sides that send through werift (the client and the
 * testkit's GPU peers).
 *
 * werift 0.25 resolves each queued message's SCTP send only once the association's whole
 * outbound queue is empty, and keeps one waiter per queued message on an event whose
 * unsubscribe is linear: handing it a burst of n messages costs O(n²) per SACK, so a few
 * thousand small messages stall the event loop for minutes (2 000 × 60 B: < 100 delivered after
 * 3 s). Its `bufferedAmount` only drops when the whole burst has gone. So messages wait in a
 * bounded queue here and are handed to the channel in small batches, the next batch once
 * `bufferedAmount` is back at zero (`bufferedAmountLow`). A full queue is a typed
 * SEND_QUEUE_FULL error at `send()`, never a silent drop; what is still queued when the channel
 * closes is reported through `onDropped`.
 *
 * An empty message is never handed to werift, which would send no chunk at all while still
 * consuming the stream sequence number, stopping every later message on the channel. It goes
 * out through `sendEmpty` (RFC 8831's empty-message PPIDs, see empty-message.ts) once everything
 * before it has left, which keeps the order.
 */
import { reactorError } from "../errors.js";
import { utf8ByteLength } from "../v0/codec.js";

/** Messages a channel's send queue holds before `send()` throws SEND_QUEUE_FULL. */
export const DATA_CHANNEL_SEND_QUEUE_MAX_MESSAGES = 4096;
/** Bytes a channel's send queue holds before `send()` throws SEND_QUEUE_FULL. */
export const DATA_CHANNEL_SEND_QUEUE_MAX_BYTES = 8 * 1024 * 1024;
/** Messages handed to the channel at once (werift's cost per SACK grows with its square). */
export const DATA_CHANNEL_SEND_BATCH_MESSAGES = 32;
/** Bytes handed to the channel at once (a larger single message still goes alone). */
export const DATA_CHANNEL_SEND_BATCH_BYTES = 64 * 1024;
/** Fallback re-check of a drained channel, in case a `bufferedAmountLow` event is missed. */
export const DATA_CHANNEL_DRAIN_CHECK_MS = 50;

/** What the pacer needs from a data channel (werift's `RTCDataChannel` has it). */
export interface PacedChannel {
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  readonly bufferedAmountLow: { subscribe(listener: () => void): { unSubscribe(): void } };
  send(data: string | Uint8Array): void;
}

/** One outbound message. */
export type OutboundMessage = string | Uint8Array;

/** Options of a {@link PacedSender}. */
export interface PacedSenderOptions {
  /** The channel's label, for error messages. */
  label: string;
  /** Sends an empty message correctly; without it, empty messages are refused (INVALID_ARGUMENT). */
  sendEmpty?: (kind: "text" | "binary") => void;
  /** A queued message could not be handed to the channel (werift threw); it is not retried. */
  onSendFailed?: (error: unknown, message: OutboundMessage) => void;
  /** Messages still queued when the sender closed (the channel went away). */
  onDropped?: (count: number) => void;
  maxQueuedMessages?: number;
  maxQueuedBytes?: number;
  batchMessages?: number;
  batchBytes?: number;
}

function byteLength(message: OutboundMessage): number {
  return typeof message === "string" ? utf8ByteLength(message) : message.byteLength;
}

/** A bounded, paced outbound queue in front of one data channel. */
export class PacedSender {
  private readonly queue: Array<{ message: OutboundMessage; bytes: number }> = [];
  private head = 0;
  private queuedBytes = 0;
  /** Messages handed to the channel since it was last seen drained. */
  private inFlight = 0;
  private inFlightBytes = 0;
  private drainCheck: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: () => void;
  private closed = false;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly batchMessages: number;
  private readonly batchBytes: number;

  constructor(
    private readonly channel: PacedChannel,
    private readonly options: PacedSenderOptions,
  ) {
    this.maxMessages = options.maxQueuedMessages ?? DATA_CHANNEL_SEND_QUEUE_MAX_MESSAGES;
    this.maxBytes = options.maxQueuedBytes ?? DATA_CHANNEL_SEND_QUEUE_MAX_BYTES;
    this.batchMessages = options.batchMessages ?? DATA_CHANNEL_SEND_BATCH_MESSAGES;
    this.batchBytes = options.batchBytes ?? DATA_CHANNEL_SEND_BATCH_BYTES;
    channel.bufferedAmountLowThreshold = 0;
    this.unsubscribe = channel.bufferedAmountLow.subscribe(() => this.pump()).unSubscribe;
  }

  /** Messages waiting (not yet handed to the channel). */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /**
   * Queues a message and sends what the channel can take now. Throws SEND_QUEUE_FULL when the
   * queue is full, DATA_CHANNEL_CLOSED after {@link close}, INVALID_ARGUMENT for an empty
   * message without `sendEmpty`.
   */
  send(message: OutboundMessage): void {
    if (this.closed) {
      throw reactorError("DATA_CHANNEL_CLOSED", `The '${this.options.label}' data channel is closed`);
    }
    const bytes = byteLength(message);
    if (bytes === 0 && !this.options.sendEmpty) {
      throw reactorError("INVALID_ARGUMENT", `An empty message cannot be sent on '${this.options.label}'`);
    }
    if (this.queued >= this.maxMessages || (this.queued > 0 && this.queuedBytes + bytes > this.maxBytes)) {
      throw reactorError(
        "SEND_QUEUE_FULL",
        `The '${this.options.label}' send queue is full (${this.queued} messages, ${this.queuedBytes} bytes waiting)`,
      );
    }
    this.queue.push({ message, bytes });
    this.queuedBytes += bytes;
    this.pump();
  }

  private drained(): boolean {
    return this.channel.bufferedAmount === 0;
  }

  private pump(): void {
    if (this.closed) return;
    if (this.drained()) {
      this.inFlight = 0;
      this.inFlightBytes = 0;
    }
    while (this.queued > 0 && this.channel.readyState === "open") {
      const next = this.queue[this.head]!;
      if (next.bytes === 0) {
        // An empty message goes out only after everything before it (it bypasses werift's queue).
        if (!this.drained()) break;
        this.take();
        this.sendNow(next.message, () => this.options.sendEmpty!(typeof next.message === "string" ? "text" : "binary"));
        continue;
      }
      const room =
        this.inFlight === 0 ||
        (this.inFlight < this.batchMessages && this.inFlightBytes + next.bytes <= this.batchBytes);
      if (!room) break;
      this.take();
      this.inFlight++;
      this.inFlightBytes += next.bytes;
      this.sendNow(next.message, () => this.channel.send(next.message));
    }
    this.armDrainCheck();
  }

  private take(): void {
    const item = this.queue[this.head]!;
    this.head++;
    this.queuedBytes -= item.bytes;
    // Compact now and then instead of shifting (shift on a long array is linear).
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private sendNow(message: OutboundMessage, send: () => void): void {
    try {
      send();
    } catch (error) {
      this.options.onSendFailed?.(error, message);
    }
  }

  private armDrainCheck(): void {
    if (this.drainCheck || this.closed || this.queued === 0) return;
    this.drainCheck = setTimeout(() => {
      this.drainCheck = null;
      this.pump();
    }, DATA_CHANNEL_DRAIN_CHECK_MS);
    (this.drainCheck as { unref?: () => void }).unref?.();
  }

  /** Stops sending; messages still queued are dropped and counted through `onDropped` (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (this.drainCheck) clearTimeout(this.drainCheck);
    this.drainCheck = null;
    const dropped = this.queued;
    this.queue.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    if (dropped > 0) this.options.onDropped?.(dropped);
  }
}
