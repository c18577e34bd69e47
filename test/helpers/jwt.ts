import { SignJWT } from "jose/jwt/sign";

/** A JWT signed with a shared secret (HS256 unless told), as the vendors' clients send them; tests forge tokens with it. */
export function signToken(claims: Record<string, unknown>, secret: string | Uint8Array, alg = "HS256"): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: "JWT" })
    .sign(typeof secret === "string" ? new TextEncoder().encode(secret) : secret);
}
