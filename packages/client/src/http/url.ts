/** Joins a base URL and an absolute path without doubling slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}

/** Resolves a URL the server returned (absolute, or relative to the API base). */
export function resolveServerUrl(base: string, url: string): string {
  return new URL(url, `${base.replace(/\/+$/, "")}/`).toString();
}
