/**
 * Credentials lose their surrounding whitespace before anything reads them. A secret file mounted by
 * Docker or Kubernetes usually ends with a newline, which no credential holds: kept, it made every
 * vendor call fail, and AIGC_MCP_AUTH_TOKEN (compared with the trimmed token clients send) answered
 * every request 401 though start-up succeeded.
 */
import { ConfigError, type Env, type EnvVar } from "./config.js";

/** Credential variables not declared secret, each the id paired with one (it shows in presigned URLs). */
const CREDENTIAL_IDS = ["AWS_ACCESS_KEY_ID"];

/** An example's placeholder ("<your Volcengine Ark API key>" in mcp.json, "…" in the README): no vendor's credential looks so. */
const PLACEHOLDER = /^<[^<>]*>$|^(\u2026|\.\.\.)$/;

/**
 * A key as a console shows it after creation, shortened with "…" ("AKLTY2…Q5Mg"): no vendor's key
 * holds the character, which cannot even be sent in an HTTP header.
 */
const SHORTENED = "\u2026";

/**
 * `env` with every secret of `vars` (and each of CREDENTIAL_IDS) trimmed. Throws a ConfigError naming
 * the variable when one is nothing but whitespace (unset it, rather than start without the token it
 * meant), an example's placeholder copied as is, or one of `vendorCredentials` shortened with "…"
 * (each would fail only at the first paid call). Never echoes the value.
 */
export function trimCredentials(env: Env, vars: readonly EnvVar[], vendorCredentials: ReadonlySet<string> = new Set()): Env {
  const out = { ...env };
  for (const name of [...vars.filter((v) => v.secret).map((v) => v.name), ...CREDENTIAL_IDS]) {
    const raw = env[name];
    if (!raw) continue;
    const trimmed = raw.trim();
    if (!trimmed) throw new ConfigError(name, `is only whitespace (${raw.length} characters): set the credential, or unset the variable`);
    if (PLACEHOLDER.test(trimmed))
      throw new ConfigError(
        name,
        "is a placeholder from an example (<…> or …), not a credential: set the credential itself, or unset the variable",
      );
    if (vendorCredentials.has(name) && trimmed.includes(SHORTENED))
      throw new ConfigError(
        name,
        'contains "…", as a console shows a key shortened: copy the whole credential (create a new one if the console no longer shows it)',
      );
    out[name] = trimmed;
  }
  return out;
}
