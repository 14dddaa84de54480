// Messages from a child process, awaitable by type (and stream id): the benchmarks' one way of
// waiting for what a sender or receiver process says, whether over IPC or as JSON lines.

/** Queues messages until someone waits for them; a failure (the child gone) rejects every wait. */
export class Mailbox {
  /**
   * @param {string} from who speaks, for the timeout message
   * @param {number} timeoutMs how long a `next()` waits
   */
  constructor(from, timeoutMs) {
    this.from = from;
    this.timeoutMs = timeoutMs;
    this.queue = [];
    this.waiters = [];
    this.failure = undefined;
  }

  /** A message arrived. */
  push(message) {
    const index = this.waiters.findIndex((w) => w.match(message));
    if (index >= 0) this.waiters.splice(index, 1)[0].resolve(message);
    else this.queue.push(message);
  }

  /** Fails every wait, now and later (the first error wins). */
  fail(error) {
    this.failure ??= error;
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  /** The next message of `type` (and `id`, when given): a queued one, or the next to arrive. */
  next(type, id) {
    const match = (m) => m.type === type && (id === undefined || m.id === id);
    const index = this.queue.findIndex(match);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${type}" from ${this.from} in time`)), this.timeoutMs);
      const settle = (fn) => (value) => {
        clearTimeout(timer);
        fn(value);
      };
      this.waiters.push({ match, resolve: settle(resolve), reject: settle(reject) });
    });
  }
}

/** The mailbox of a forked child's IPC messages; `{type: "error"}` and the child's exit fail it. */
export function ipcMailbox(child, from, timeoutMs) {
  const mail = new Mailbox(from, timeoutMs);
  child.on("message", (message) => {
    if (message.type === "error") mail.fail(new Error(`${from}: ${message.message}`));
    else mail.push(message);
  });
  child.on("exit", (code) => mail.fail(new Error(`${from} exited (code ${code})`)));
  return mail;
}
