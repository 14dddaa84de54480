/**
 * The credential a GPU peer presents to join the link: `Authorization: Bearer <secret>` on the
 * WebSocket upgrade. Only holders of the coordinator's secret are handed sessions, offers and
 * uploads; the in-process GPUs get it in memory, `reactor-testkit gpu` from its environment.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Environment variable `reactor-testkit gpu` (and `serve`) read the GPU secret from. */
export const GPU_SECRET_ENV = "REACTOR_TESTKIT_GPU_SECRET";

/** A fresh random GPU secret. */
export function generateGpuSecret(): string {
  return `gpu_${randomBytes(24).toString("base64url")}`;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Checks an `Authorization` header against the secret in constant time. */
export function gpuCredentialMatches(authorization: string | undefined, secret: string): boolean {
  const m = /^Bearer (\S+)$/.exec(authorization?.trim() ?? "");
  return m !== null && timingSafeEqual(digest(m[1]!), digest(secret));
}
