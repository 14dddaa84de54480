/**
 * `*` globs matched without backtracking. A pattern is cut at its stars into literal pieces:
 * the first must start the subject, the last must end it, and the ones between are found
 * left to right, each at its earliest position after the previous one. Taking the earliest
 * position is always right for `*`-only globs (a later one can only leave less room for the
 * rest), so no choice is ever revisited and a hostile pattern costs one pass over the subject.
 */

/** A compiled glob. */
export interface Glob {
  /** True when the whole subject matches. */
  test(subject: string): boolean;
}

/** Compiles a glob where `*` matches any run of characters (empty included); `caseless` folds case. */
export function compileGlob(pattern: string, options: { caseless?: boolean } = {}): Glob {
  const fold = (s: string) => (options.caseless ? s.toLowerCase() : s);
  const pieces = fold(pattern).split("*");
  const first = pieces[0]!;
  if (pieces.length === 1) return { test: (subject) => fold(subject) === first };
  const last = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((p) => p.length > 0);
  const minLength = first.length + last.length + middle.reduce((n, p) => n + p.length, 0);
  return {
    test(raw) {
      const subject = fold(raw);
      if (subject.length < minLength || !subject.startsWith(first) || !subject.endsWith(last)) return false;
      let at = first.length;
      const end = subject.length - last.length;
      for (const piece of middle) {
        const found = subject.indexOf(piece, at);
        if (found < 0 || found + piece.length > end) return false;
        at = found + piece.length;
      }
      return true;
    },
  };
}
