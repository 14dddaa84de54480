/**
 * HTTP at the byte level, for requests no HTTP client would send: write anything on a fresh
 * socket, read what comes back until the server closes, or give up after a timeout.
 */
import { connect, type Socket } from "node:net";

/** What one raw exchange produced. */
export interface RawAnswer {
  /** Status of the first answer (0 when none). */
  status: number;
  /** Every status line seen, in order (pipelined requests get several). */
  statuses: number[];
  /** The server closed the connection. */
  closed: boolean;
  /** No close within the timeout (the socket was then destroyed by us). */
  timedOut: boolean;
  /** The first bytes of the answer, for reports. */
  head: string;
}

/** How a case talks to the server. */
export interface RawOptions {
  /** Give up after this long (default 5 s). */
  timeoutMs?: number;
  /** Half-close after writing (default true): the server sees the end of the request. */
  end?: boolean;
  /** Writes the request in steps (slow clients); default: `bytes` at once. */
  write?: (socket: Socket) => Promise<void>;
}

/** Sends `bytes` (or runs `write`) on a new connection to 127.0.0.1:`port`. */
export function rawExchange(port: number, bytes: string | Buffer, options: RawOptions = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let settled = false;
    const finish = (closed: boolean, timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve({ status: statuses[0] ?? 0, statuses, closed, timedOut, head: text.slice(0, 160) });
    };
    const timer = setTimeout(() => finish(false, true), options.timeoutMs ?? 5_000);
    socket.on("data", (d) => {
      if (text.length < 4 * 1024 * 1024) text += d.toString("latin1");
    });
    socket.on("close", () => finish(true, false));
    socket.on("error", () => finish(true, false));
    socket.on("connect", () => {
      const write = options.write ?? (async (s: Socket) => void s.write(bytes));
      write(socket)
        .then(() => {
          if (options.end ?? true) socket.end();
        })
        .catch(() => finish(true, false));
    });
  });
}

/** A request with a correct head: `method target`, the headers given, then `body`. */
export function request(
  method: string,
  target: string,
  headers: Record<string, string>,
  body: string | Buffer = "",
): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  if (length > 0 && !Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h))) {
    lines.push(`Content-Length: ${length}`);
  }
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), Buffer.from(body)]);
}
