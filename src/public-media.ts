/**
 * AIGC_MCP_PUBLIC_URL and its signing key. Download URLs are `<url>/media/<name>?exp=…&sig=…`, so
 * the base URL holds no query or fragment (the path would land in them), nor a user name or password
 * (every result would show them, and clients do not send them).
 */
import { z } from "zod";
import { ConfigError, envValue, zUrl, type CoreConfig, type Env } from "./config.js";

export function publicMedia(env: Env): CoreConfig["publicMedia"] {
  checkPublicUrl(env.AIGC_MCP_PUBLIC_URL);
  const url = envValue(env, "AIGC_MCP_PUBLIC_URL", zUrl.optional());
  const secret = envValue(
    env,
    "AIGC_MCP_MEDIA_URL_SECRET",
    z.string().min(32, "must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)").optional(),
  );
  if (!url) return undefined;
  if (!secret) throw new ConfigError("AIGC_MCP_MEDIA_URL_SECRET", "is required with AIGC_MCP_PUBLIC_URL: it signs the download URLs");
  return { url, secret };
}

/** Refuses, without quoting the value (it may hold a password), a URL with credentials, a query or a fragment. */
function checkPublicUrl(raw: string | undefined): void {
  if (!raw) return;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(raw))
    throw new ConfigError(
      "AIGC_MCP_PUBLIC_URL",
      "must not hold a user name or password (`user:password@` before the host): remove them. Every download URL would show them, and is signed already",
    );
  if (/[?#]/.test(raw))
    throw new ConfigError(
      "AIGC_MCP_PUBLIC_URL",
      "must not hold a query (`?…`) or a fragment (`#…`): remove them. Download URLs add `/media/<name>?exp=…&sig=…` to this base URL",
    );
}
