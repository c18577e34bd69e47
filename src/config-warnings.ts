/** Start-up warnings for settings that have no effect without a companion setting. */
import type { Env } from "./config.js";

/** Variables that do nothing unless one of the variables after them is set (`idle`: a value that asks for nothing anyway). */
const NEEDS: Array<[variable: string, needs: string[], without: string, idle?: string]> = [
  ["AIGC_MCP_MEDIA_URL_SECRET", ["AIGC_MCP_PUBLIC_URL"], "no download URLs are signed or served"],
  ["AIGC_MCP_MEDIA_URL_TTL_S", ["AIGC_MCP_PUBLIC_URL", "AIGC_MCP_S3_BUCKET"], "no download URLs are made"],
  // `false` is a choice made, not a setting without effect: it warns of nothing.
  ["AIGC_MCP_TASK_CALLBACKS", ["AIGC_MCP_PUBLIC_URL"], "no vendor can call back, so jobs only poll", "false"],
  ["AIGC_MCP_REDIS_PREFIX", ["AIGC_MCP_REDIS_URL"], "job records stay in the output folder"],
  ...["AIGC_MCP_S3_ENDPOINT", "AIGC_MCP_S3_REGION", "AIGC_MCP_S3_PREFIX", "AIGC_MCP_S3_FORCE_PATH_STYLE", "AIGC_MCP_KEEP_LOCAL"].map(
    (v): [string, string[], string] => [v, ["AIGC_MCP_S3_BUCKET"], "outputs stay in the output folder only"],
  ),
];

/**
 * Start-up warnings for settings that are silently without effect: a variable set whose companion
 * is not (AIGC_MCP_MEDIA_URL_SECRET without AIGC_MCP_PUBLIC_URL, S3 settings without a bucket).
 */
export function configWarnings(env: Env): string[] {
  const set = (name: string) => Boolean(env[name]);
  return NEEDS.filter(([v, needs, , idle]) => set(v) && env[v] !== idle && !needs.some(set)).map(
    ([v, needs, without]) =>
      `${v} is set but ${needs.join(" or ")} is not, so it has no effect (${without}): set ${needs.join(" or ")}, or unset ${v}`,
  );
}
