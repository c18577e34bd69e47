/**
 * The HTTP transport's static bearer token (AIGC_MCP_AUTH_TOKEN): compared in constant time, and
 * a refusal that says what was wrong without quoting the credential.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** OAuth discovery (RFC 8414, RFC 9728, OpenID) and the usual registration/authorize/token endpoints. */
export const OAUTH_PATH = /^\/(\.well-known\/(oauth-[a-z-]+|openid-configuration)(\/.*)?|register|authorize|token)$/;

export const STATIC_TOKEN_HELP =
  "This server uses a static bearer token, not OAuth: send the header Authorization: Bearer <token>, where <token> is the server's AIGC_MCP_AUTH_TOKEN.";

/** Authorization schemes (IANA's registry, and the common API-key ones) a refusal may name. */
const KNOWN_SCHEMES = ["Basic", "Digest", "Negotiate", "NTLM", "HOBA", "Mutual", "DPoP", "GNAP", "Token", "ApiKey", "Key"];

export function sha256(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/** Why a request's Authorization header is refused, or undefined when it carries the token (`digest` is its sha256). */
export function tokenRefusal(header: string | undefined, digest: Buffer): string | undefined {
  if (!header) return "no Authorization header was sent";
  const bearer = /^Bearer\s+(\S.*)$/i.exec(header.trim());
  if (bearer) return timingSafeEqual(sha256(bearer[1]!.trim()), digest) ? undefined : "the bearer token does not match";
  // Another scheme: named only when it is a known one, so a bare credential is never quoted back.
  const scheme = /^(\S+)\s/.exec(header.trim())?.[1];
  const known = scheme && KNOWN_SCHEMES.find((k) => k.toLowerCase() === scheme.toLowerCase());
  const sent = /^bearer$/i.test(header.trim())
    ? "an Authorization header without a token"
    : known
      ? `an Authorization header of the ${known} scheme`
      : "an Authorization header that is not a Bearer token";
  return `${sent} was sent; a Bearer token is expected`;
}
