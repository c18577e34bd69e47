/**
 * Configuration: parsed once at start-up from the environment (and the matching CLI flags) with
 * zod. A bad value stops the server with one line naming the variable. Vendor modules contribute
 * their own variables through `EnvVar` lists so `--help` and the README can list every one.
 */
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { delimiter, resolve } from "node:path";
import { z } from "zod";
import { CORE_ENV } from "./core-env.js";
import { expandHome } from "./home-path.js";
import { parseCostConfig, type CostConfig } from "./cost/config.js";
import { checkBucketSecret } from "./bucket-secret.js";
import { metadataEntry } from "./net/addresses.js";
import { publicMedia } from "./public-media.js";

export { CORE_ENV };

/** How a media result is delivered (issue 12): embedded files, links only, or a small preview plus links. */
export const DELIVERY_MODES = ["embed", "link", "preview"] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

export interface EnvVar {
  name: string;
  /** CLI flag that sets the same value (never for credentials). */
  flag?: string;
  description: string;
  default?: string;
  secret?: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Variables whose value a config error may quote: declared in an `EnvVar` list and not secret.
 * Unknown names count as secret, so a value is never echoed unless its declaration says it may be.
 */
const quotable = new Set<string>();

/** Declares variables (CORE_ENV here; every plugin's list from src/plugins.ts). */
export function declareEnv(vars: readonly EnvVar[]): void {
  for (const v of vars) if (!v.secret) quotable.add(v.name);
}

/** Parse one variable with a zod schema; empty strings count as unset. A secret's value is never quoted. */
export function envValue<T extends z.ZodType>(env: Env, name: string, schema: T): z.output<T> {
  const raw = env[name];
  const parsed = schema.safeParse(raw === "" ? undefined : raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const got = quotable.has(name)
      ? ` (got ${JSON.stringify(raw)})`
      : ` (the value is secret and not shown; it has ${raw?.length ?? 0} characters)`;
    throw new ConfigError(name, `${issue?.message ?? "invalid value"}${got}`);
  }
  return parsed.data;
}

/** A whole number from `min` to `max`; a negative one is told it is below the range, not that it is no whole number. */
const tooLow = (min: number) => (min ? `must be at least ${min}` : "must not be negative");
export const zInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, tooLow(min)).max(max, `must be at most ${max}`));

export const zUrl = z
  .string()
  .url("must be an http(s) URL")
  .refine((u) => /^https?:\/\//i.test(u), "must start with http:// or https://")
  // As URL spells it (a space or non-ASCII path percent-encoded): the form URLs built on it must have.
  .transform((u) => new URL(u).href.replace(/\/+$/, ""));

const zSplit = z.string().transform((s) => s.split(",").map((x) => x.trim()));
const zList = zSplit.transform((l) => l.filter(Boolean));

const zAllowHosts = zList.refine((l) => !metadataEntry(l), {
  error: (i) =>
    `${metadataEntry(i.input as string[])} is a link-local or cloud metadata host, which must never be listed (a download from it can read the machine's cloud credentials): remove it`,
});

declareEnv(CORE_ENV);

export interface CoreConfig {
  transport: "stdio" | "http";
  host: string;
  port: number;
  authToken?: string;
  allowedHosts: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
  maxBodyBytesInFlight: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxConnections: number;
  shutdownGraceMs: number;
  stdioMaxMessageBytes: number;
  sseKeepAliveMs: number;
  /** AIGC_MCP_PUBLIC_URL with its signing key and URL lifetime; undefined = no download URLs from this server. */
  publicMedia?: { url: string; secret: string };
  /** Seconds a download URL (signed here or presigned for the bucket) stays valid. */
  mediaUrlTtlS: number;
  /** AIGC_MCP_TASK_CALLBACKS: with publicMedia, vendor tasks are created with a callback_url (src/net/task-callbacks.ts). */
  taskCallbacks: boolean;
  /** AIGC_MCP_S3_*: the bucket outputs are copied to; undefined = the output folder only. */
  storage?: {
    bucket: string;
    endpoint?: string;
    region: string;
    prefix: string;
    forcePathStyle: boolean;
    keepLocal: boolean;
    /** From AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN; undefined = the AWS SDK's default chain. */
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  };
  /** AIGC_MCP_REDIS_URL and its key prefix: job state shared by replicas; undefined = files in the output folder. */
  redis?: { url: string; prefix: string };
  /** AIGC_MCP_JOB_RETENTION_DAYS: how long job records are kept after their last change. */
  jobRetentionDays: number;
  outputDir: string;
  inlineMaxBytes: number;
  /** AIGC_MCP_DELIVERY: how media results are delivered unless a call says otherwise. */
  delivery: DeliveryMode;
  apps: boolean; // AIGC_MCP_APPS: declare the MCP App viewer on the tools that answer with a job
  /** AIGC_MCP_TASKS: declare MCP tasks (2025-11-25) for the tools that start a job (src/tools/task-calls.ts). */
  tasks: boolean;
  maxMediaBytes: number;
  /** Downloads and open media files at once (the media queue). */
  maxOpenFiles: number;
  /** Explicitly configured input roots (undefined = defaults apply). */
  inputRoots?: string[];
  /** Hosts downloads may reach on non-public addresses (AIGC_MCP_FETCH_ALLOW_HOSTS); the vendor endpoints are added to these. */
  fetchAllowHosts: string[];
  /** The configured vendor endpoint URLs (set by loadVendors): fetched on any address, and URLs there are the vendor's own. */
  vendorEndpoints: string[];
  defaultWaitS: number;
  maxWaitS: number;
  vendorTimeoutMs: number;
  logLevel: "debug" | "info" | "warn" | "error";
  /** How per-model capability rules apply: advise (never block) or strict (refuse locally). */
  modelChecks: "advise" | "strict";
  /** AIGC_MCP_TOOLSETS: the toolsets to list (undefined = all); checked against the known names by loadVendors. */
  toolsets?: string[];
  /** AIGC_MCP_MODELS_FILE, resolved; read by loadVendors. */
  modelsFile?: string;
  /** The prices file, budgets, their time zone and the confirmation threshold (src/cost/config.ts). */
  cost: CostConfig;
  sandbox: boolean;
}

export function parseCoreConfig(env: Env): CoreConfig {
  const d = (name: string) => CORE_ENV.find((v) => v.name === name)?.default;
  const e = (name: string) => ({ ...env, [name]: env[name] || d(name) });
  const roots = env.AIGC_MCP_INPUT_ROOTS
    ? env.AIGC_MCP_INPUT_ROOTS.split(delimiter)
        .filter(Boolean)
        .map((p) => resolve(expandHome(p)))
    : undefined;
  const cfg: CoreConfig = {
    transport: envValue(e("AIGC_MCP_TRANSPORT"), "AIGC_MCP_TRANSPORT", z.enum(["stdio", "http"], "must be stdio or http")),
    host: envValue(e("AIGC_MCP_HOST"), "AIGC_MCP_HOST", z.string().min(1)),
    port: envValue(e("AIGC_MCP_PORT"), "AIGC_MCP_PORT", zInt(0, 65535)),
    authToken: envValue(env, "AIGC_MCP_AUTH_TOKEN", z.string().min(16, "must be at least 16 characters").optional()),
    allowedHosts: envValue(env, "AIGC_MCP_ALLOWED_HOSTS", zList.optional()) ?? [],
    allowedOrigins: envValue(env, "AIGC_MCP_ALLOWED_ORIGINS", zList.optional()) ?? [],
    maxBodyBytes: envValue(e("AIGC_MCP_MAX_BODY_BYTES"), "AIGC_MCP_MAX_BODY_BYTES", zInt(1024, 1 << 30)),
    maxBodyBytesInFlight: envValue(e("AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT"), "AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT", zInt(1 << 20, 2 ** 40)),
    headersTimeoutMs: envValue(e("AIGC_MCP_HEADERS_TIMEOUT_S"), "AIGC_MCP_HEADERS_TIMEOUT_S", zInt(1, 3600)) * 1000,
    bodyTimeoutMs: envValue(e("AIGC_MCP_BODY_TIMEOUT_S"), "AIGC_MCP_BODY_TIMEOUT_S", zInt(1, 3600)) * 1000,
    maxConnections: envValue(e("AIGC_MCP_MAX_CONNECTIONS"), "AIGC_MCP_MAX_CONNECTIONS", zInt(1, 100_000)),
    shutdownGraceMs: envValue(e("AIGC_MCP_SHUTDOWN_GRACE_S"), "AIGC_MCP_SHUTDOWN_GRACE_S", zInt(0, 3600)) * 1000,
    stdioMaxMessageBytes: envValue(e("AIGC_MCP_STDIO_MAX_MESSAGE_BYTES"), "AIGC_MCP_STDIO_MAX_MESSAGE_BYTES", zInt(1 << 20, 1 << 30)),
    sseKeepAliveMs: envValue(e("AIGC_MCP_SSE_KEEPALIVE_S"), "AIGC_MCP_SSE_KEEPALIVE_S", zInt(0, 3600)) * 1000,
    publicMedia: publicMedia(env),
    mediaUrlTtlS: envValue(e("AIGC_MCP_MEDIA_URL_TTL_S"), "AIGC_MCP_MEDIA_URL_TTL_S", zInt(60, 366 * 86400)),
    taskCallbacks: envValue(e("AIGC_MCP_TASK_CALLBACKS"), "AIGC_MCP_TASK_CALLBACKS", zBool),
    storage: storage(env),
    redis: redis(env),
    jobRetentionDays: envValue(e("AIGC_MCP_JOB_RETENTION_DAYS"), "AIGC_MCP_JOB_RETENTION_DAYS", zInt(1, 3650)),
    outputDir: resolve(expandHome(env.AIGC_MCP_OUTPUT_DIR || d("AIGC_MCP_OUTPUT_DIR")!)),
    inlineMaxBytes: envValue(e("AIGC_MCP_INLINE_MAX_BYTES"), "AIGC_MCP_INLINE_MAX_BYTES", zInt(0, 50_000_000)),
    delivery: envValue(e("AIGC_MCP_DELIVERY"), "AIGC_MCP_DELIVERY", z.enum(DELIVERY_MODES, "must be embed, link or preview")),
    apps: envValue(e("AIGC_MCP_APPS"), "AIGC_MCP_APPS", zBool),
    tasks: envValue(e("AIGC_MCP_TASKS"), "AIGC_MCP_TASKS", zBool),
    maxMediaBytes: envValue(e("AIGC_MCP_MAX_MEDIA_BYTES"), "AIGC_MCP_MAX_MEDIA_BYTES", zInt(1024, 8 * 1024 ** 3)),
    maxOpenFiles: envValue(e("AIGC_MCP_MAX_OPEN_FILES"), "AIGC_MCP_MAX_OPEN_FILES", zInt(1, 4096)),
    inputRoots: roots,
    fetchAllowHosts: envValue(env, "AIGC_MCP_FETCH_ALLOW_HOSTS", zAllowHosts.optional()) ?? [],
    vendorEndpoints: [],
    defaultWaitS: envValue(e("AIGC_MCP_DEFAULT_WAIT_S"), "AIGC_MCP_DEFAULT_WAIT_S", zInt(0, 3600)),
    maxWaitS: envValue(e("AIGC_MCP_MAX_WAIT_S"), "AIGC_MCP_MAX_WAIT_S", zInt(1, 3600)),
    vendorTimeoutMs: envValue(e("AIGC_MCP_VENDOR_TIMEOUT_S"), "AIGC_MCP_VENDOR_TIMEOUT_S", zInt(1, 3600)) * 1000,
    logLevel: envValue(
      e("AIGC_MCP_LOG_LEVEL"),
      "AIGC_MCP_LOG_LEVEL",
      z.enum(["debug", "info", "warn", "error"], "must be debug, info, warn or error"),
    ),
    modelChecks: envValue(e("AIGC_MCP_MODEL_CHECKS"), "AIGC_MCP_MODEL_CHECKS", z.enum(["advise", "strict"], "must be advise or strict")),
    // Entries as written (empty ones included): loadVendors normalises them and warns about empty ones.
    toolsets: envValue(env, "AIGC_MCP_TOOLSETS", zSplit.optional()),
    modelsFile: env.AIGC_MCP_MODELS_FILE ? resolve(expandHome(env.AIGC_MCP_MODELS_FILE)) : undefined,
    cost: parseCostConfig(env),
    sandbox: false,
  };
  if (cfg.storage && cfg.mediaUrlTtlS > 604_800)
    throw new ConfigError("AIGC_MCP_MEDIA_URL_TTL_S", "must be at most 604800 (7 days) with a bucket: presigned URLs cannot last longer");
  if (cfg.publicMedia) {
    if (cfg.transport !== "http")
      throw new ConfigError("AIGC_MCP_PUBLIC_URL", "needs the HTTP transport (--http): the download URLs are served by the HTTP server");
    const host = new URL(cfg.publicMedia.url).host.toLowerCase();
    if (!cfg.allowedHosts.includes(host)) cfg.allowedHosts.push(host);
  }
  if (cfg.transport === "http" && !isLoopbackHost(cfg.host) && !cfg.authToken)
    throw new ConfigError(
      "AIGC_MCP_AUTH_TOKEN",
      `must be set to listen on ${cfg.host} (AIGC_MCP_HOST): without it anyone on the network could spend your vendor credits. Set a token of at least 16 characters, or bind 127.0.0.1`,
    );
  if (cfg.defaultWaitS > cfg.maxWaitS)
    throw new ConfigError("AIGC_MCP_DEFAULT_WAIT_S", `must not exceed AIGC_MCP_MAX_WAIT_S (${cfg.maxWaitS})`);
  return cfg;
}

const zBool = z.enum(["true", "false"], "must be true or false").transform((v) => v === "true");

function storage(env: Env): CoreConfig["storage"] {
  const bucket = envValue(env, "AIGC_MCP_S3_BUCKET", z.string().min(3).max(255).optional());
  if (!bucket) return undefined;
  const endpoint = envValue(env, "AIGC_MCP_S3_ENDPOINT", zUrl.optional());
  checkBucketSecret(env);
  return {
    bucket,
    ...(endpoint ? { endpoint } : {}),
    region: env.AIGC_MCP_S3_REGION || env.AWS_REGION || "us-east-1",
    prefix: (env.AIGC_MCP_S3_PREFIX ?? "").replace(/^\/+|\/+$/g, ""),
    forcePathStyle: envValue(
      { AIGC_MCP_S3_FORCE_PATH_STYLE: env.AIGC_MCP_S3_FORCE_PATH_STYLE || "false" },
      "AIGC_MCP_S3_FORCE_PATH_STYLE",
      zBool,
    ),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
    keepLocal: envValue({ AIGC_MCP_KEEP_LOCAL: env.AIGC_MCP_KEEP_LOCAL || "true" }, "AIGC_MCP_KEEP_LOCAL", zBool),
  };
}

function redis(env: Env): CoreConfig["redis"] {
  const url = envValue(
    env,
    "AIGC_MCP_REDIS_URL",
    z
      .string()
      .refine((u) => /^rediss?:\/\/[^/\s]/i.test(u) && URL.canParse(u), "must be a redis:// or rediss:// URL, e.g. redis://redis:6379/0")
      .optional(),
  );
  const prefix = envValue(
    { AIGC_MCP_REDIS_PREFIX: env.AIGC_MCP_REDIS_PREFIX || "aigc-mcp:" },
    "AIGC_MCP_REDIS_PREFIX",
    z
      .string()
      .max(64, "must be at most 64 characters")
      .regex(/^[A-Za-z0-9:._{}-]*$/, "may hold only letters, digits and : . _ - { }"),
  );
  return url ? { url, prefix } : undefined;
}

/**
 * Loopback means an IP literal in 127.0.0.0/8 or ::1 (bracketed or not, IPv4-mapped included) or
 * the exact name `localhost`. Anything else is a name: `127.attacker.example` and
 * `127.0.0.1.rebind.attacker.example` resolve wherever their owner likes (DNS rebinding).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost") return true;
  const bare = h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
  if (isIPv4(bare)) return bare.startsWith("127.");
  if (isIPv6(bare)) return LOOPBACK_V6.check(bare, "ipv6");
  return false;
}

const LOOPBACK_V6 = new BlockList();
LOOPBACK_V6.addAddress("::1", "ipv6");
LOOPBACK_V6.addSubnet("::ffff:127.0.0.0", 104, "ipv6");
