/** Turning a zod failure into the short text our error messages carry. */
import type { z } from "zod";

/** Options of {@link describeIssues}. */
export interface DescribeIssuesOptions {
  /** How many issues to name (default 3). */
  max?: number;
  /** The name of an issue at the top level (default `(root)`). */
  root?: string;
}

/** `path: message` for the first issues of `error`, joined by `; ` (e.g. `model.name: Required`). */
export function describeIssues(error: z.ZodError, options: DescribeIssuesOptions = {}): string {
  const root = options.root ?? "(root)";
  return error.issues
    .slice(0, options.max ?? 3)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : root}: ${issue.message}`)
    .join("; ");
}
