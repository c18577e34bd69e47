/**
 * A failed Redis operation as an AigcError in plain words: what state Redis is in (not connected, not
 * answering, refusing), not the driver's wording ("Stream isn't writeable and enableOfflineQueue
 * options is false"), which names ioredis options the reader never set. The driver's message goes
 * to the log, where an operator can look for it.
 */
import { AigcError } from "../errors.js";
import { log } from "../log.js";

type DriverError = { name?: string; code?: unknown; message?: string };

/** What the failure says of Redis, as the end of "Redis at host:port: <doing> failed: …". */
export function redisTrouble(err: unknown): string {
  const e = (err ?? {}) as DriverError;
  const message = e.message ?? String(err);
  const code = typeof e.code === "string" ? e.code : "";
  if (/timed out/i.test(message)) return "not answering (connected, but no answer in time)";
  // Redis's own answer (NOAUTH, WRONGPASS, OOM, READONLY, LOADING…): its words are the reason, and hold no secret.
  if (e.name === "ReplyError") return `it answered with an error: ${message.replace(/\.+$/, "")}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "its host name does not resolve";
  if (code === "ECONNREFUSED") return "the connection was refused (is Redis running, on that port?)";
  if (code === "EPROTO" || code.startsWith("ERR_SSL") || /certificate|ssl|tls/i.test(message))
    return "the TLS handshake failed (rediss:// to a Redis without TLS, or a certificate this machine does not trust?)";
  return "not connected (the connection is down or was lost; the server keeps reconnecting)";
}

export function redisError(where: string, err: unknown, doing: string, hint: string): AigcError {
  log.warn(`redis: ${doing} failed`, { where, error: err instanceof Error ? err.message : String(err) });
  return new AigcError(
    { category: "local", code: "RedisUnavailable", message: `${where}: ${doing} failed: ${redisTrouble(err)}`, hint },
    { cause: err },
  );
}
