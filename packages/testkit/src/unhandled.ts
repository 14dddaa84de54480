/**
 * What the mock does with what it did not handle (an unknown route, a malformed body, a frame
 * it cannot decode), like MSW's `onUnhandledRequest`. The request is always answered the same
 * way (a 4xx `{detail}`, the frame dropped); the strategy decides who hears about it:
 *
 * - `"error"` (default): recorded in `history.unhandled` and logged as an error;
 *   `assertNoUnhandled()` throws.
 * - `"warn"`: recorded and logged as a warning; `assertNoUnhandled()` passes.
 * - `"bypass"`: neither recorded nor logged.
 * - a function: called with the record instead (a throw is logged, never reaches the server).
 */
import type { CallHistory, UnhandledRecord } from "./history.js";
import type { Logger } from "./logger.js";

/** The `onUnhandled` option of the mock. */
export type OnUnhandled = "error" | "warn" | "bypass" | ((record: UnhandledRecord) => void);

/** The strategy an `onUnhandled` / deprecated `strict` pair resolves to (`onUnhandled` wins). */
export function resolveOnUnhandled(onUnhandled: OnUnhandled | undefined, strict: boolean | undefined): OnUnhandled {
  return onUnhandled ?? (strict === false ? "bypass" : "error");
}

/** The function the server calls for each unhandled thing. */
export function unhandledReporter(
  strategy: OnUnhandled,
  history: CallHistory,
  logger: Logger,
): (record: UnhandledRecord) => void {
  return (record) => {
    if (strategy === "bypass") return;
    if (typeof strategy === "function") {
      try {
        strategy(record);
      } catch (error) {
        logger.error({ err: error }, "onUnhandled threw");
      }
      return;
    }
    history.push("unhandled", record);
    logger[strategy === "error" ? "error" : "warn"]({ unhandled: record }, `unhandled by the mock: ${record.detail}`);
  };
}
