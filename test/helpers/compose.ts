/**
 * docker-compose.yml as Compose reads it: YAML with anchors and merge keys, then `${…}`
 * interpolation of every string value from an env file (deploy/.env.example unless told),
 * following the Compose specification's forms: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}` and `${VAR?error}`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: string[];
  ports?: string[];
  networks?: Record<string, { aliases?: string[] } | null>;
  command?: string | string[];
  entrypoint?: string | string[];
  healthcheck?: { test: string | string[] };
  restart?: string;
}

export interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  /** The variables the file interpolates. */
  used: Set<string>;
}

/** `KEY=VALUE` lines (comments and blank lines skipped), as `docker compose --env-file` reads them. */
export function readEnvFile(path = `${ROOT}deploy/.env.example`): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) vars[m[1]!] = m[2]!.trim();
  }
  return vars;
}

export function interpolate(value: string, vars: Record<string, string | undefined>, used: Set<string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (all === "$$") return "$";
      const name = (braced ?? bare)!;
      used.add(name);
      const v = vars[name];
      const missing = op?.startsWith(":") ? !v : v === undefined;
      if (op?.endsWith("-")) return missing ? (arg ?? "") : v!;
      if (op?.endsWith("?")) {
        if (missing) throw new Error(`required variable ${name} is missing a value: ${arg}`);
        return v!;
      }
      return v ?? "";
    },
  );
}

function walk(node: unknown, vars: Record<string, string | undefined>, used: Set<string>): unknown {
  if (typeof node === "string") return interpolate(node, vars, used);
  if (Array.isArray(node)) return node.map((n) => walk(n, vars, used));
  if (node && typeof node === "object")
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [interpolate(k, vars, used), walk(v, vars, used)]));
  return node;
}

/** docker-compose.yml with its anchors merged and `${…}` filled from `vars`. */
export function loadCompose(vars: Record<string, string | undefined> = readEnvFile()): Compose {
  const raw = parse(readFileSync(`${ROOT}docker-compose.yml`, "utf8"), { merge: true }) as Omit<Compose, "used">;
  const used = new Set<string>();
  const services = walk(raw.services, vars, used) as Compose["services"];
  return { services, volumes: raw.volumes, used };
}

/** A service's `environment`, map or list form, as strings. */
export function serviceEnv(svc: ComposeService): Record<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env))
    return Object.fromEntries(env.map((kv) => [kv.split("=")[0]!, kv.includes("=") ? kv.slice(kv.indexOf("=") + 1) : ""]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

/** The services built from this repository's Dockerfile: the aigc-mcp replicas. */
export function replicas(compose: Compose): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
}
