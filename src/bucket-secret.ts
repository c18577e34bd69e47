/**
 * Every output is scrubbed of the registered secrets (src/log.ts), and every presigned
 * `download_url` names the bucket's access key id, bucket, endpoint and prefix: a secret found in
 * one of them would break every link (and, unscrubbed, show the secret in it).
 */
import { ConfigError, type Env } from "./config.js";

const SHOWN_IN_LINKS = ["AWS_ACCESS_KEY_ID", "AIGC_MCP_S3_BUCKET", "AIGC_MCP_S3_ENDPOINT", "AIGC_MCP_S3_PREFIX"] as const;

/** Throws a ConfigError naming AWS_SECRET_ACCESS_KEY (not its value) when a bucket setting every link shows contains it. */
export function checkBucketSecret(env: Env): void {
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const shown = secret ? SHOWN_IN_LINKS.find((name) => env[name]?.includes(secret)) : undefined;
  if (!shown) return;
  throw new ConfigError(
    "AWS_SECRET_ACCESS_KEY",
    `occurs in ${shown}, which every download_url shows, so every link would be broken by the secret's redaction: use a key pair whose secret differs (a test server's default pair, such as MinIO's root user, is one: create an access key for the bucket)`,
  );
}
