/**
 * Configuration: parsed once at start-up from the environment (and the matching CLI flags) with
 * zod. A bad value stops the server with one line naming the variable. Vendor modules contribute
 * their own variables through `EnvVar` lists so `--help` and the README can list every one.
 */
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { homedir } from "node:os";
import { delimiter, resolve } from "node:path";
import { z } from "zod";

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

export const zInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const zUrl = z
  .string()
  .url("must be an http(s) URL")
  .refine((u) => /^https?:\/\//i.test(u), "must start with http:// or https://")
  .transform((u) => u.replace(/\/+$/, ""));

const zList = z.string().transform((s) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean),
);

export const CORE_ENV: EnvVar[] = [
  {
    name: "AIGC_MCP_TRANSPORT",
    flag: "--transport",
    description: "Transport: `stdio` or `http` (`--http` and `--stdio` are short for `--transport http` / `--transport stdio`).",
    default: "stdio",
  },
  {
    name: "AIGC_MCP_HOST",
    flag: "--host",
    description: "HTTP bind address. A non-loopback address requires `AIGC_MCP_AUTH_TOKEN`.",
    default: "127.0.0.1",
  },
  { name: "AIGC_MCP_PORT", flag: "--port", description: "HTTP port (`0` = any free port; the URL is logged).", default: "8787" },
  {
    name: "AIGC_MCP_AUTH_TOKEN",
    description:
      "When set, every HTTP request needs `Authorization: Bearer <token>` (compared in constant time). At least 16 characters. Required to bind a non-loopback host.",
    secret: true,
  },
  {
    name: "AIGC_MCP_ALLOWED_HOSTS",
    flag: "--allowed-hosts",
    description:
      "Extra `Host` names accepted over HTTP, comma-separated (e.g. `host.docker.internal,aigc-mcp`); loopback names are always accepted. `*` accepts any Host (only sensible with a token). Others get 403.",
  },
  {
    name: "AIGC_MCP_ALLOWED_ORIGINS",
    flag: "--allowed-origins",
    description: "Extra browser `Origin`s accepted over HTTP, comma-separated; loopback origins are always accepted. Others get 403.",
  },
  {
    name: "AIGC_MCP_SSE_KEEPALIVE_S",
    flag: "--sse-keepalive",
    description:
      "Seconds between SSE keep-alive comments while an HTTP tool call runs (keeps proxies and Dify's 300 s read timeout from cutting long calls); `0` disables.",
    default: "15",
  },
  { name: "AIGC_MCP_MAX_BODY_BYTES", flag: "--max-body-bytes", description: "Largest HTTP request body (413 beyond).", default: "4194304" },
  {
    name: "AIGC_MCP_HEADERS_TIMEOUT_S",
    flag: "--headers-timeout",
    description: "Seconds a client has to send an HTTP request's headers (slow or silent connections are closed).",
    default: "10",
  },
  {
    name: "AIGC_MCP_BODY_TIMEOUT_S",
    flag: "--body-timeout",
    description:
      "Seconds an HTTP request body may stall between chunks, and (times 6) the most its whole upload may take. A tool call's streamed answer is not limited by it.",
    default: "10",
  },
  {
    name: "AIGC_MCP_MAX_CONNECTIONS",
    flag: "--max-connections",
    description: "Most HTTP connections open at once; further ones are closed at once. Each open SSE tool call holds one.",
    default: "256",
  },
  {
    name: "AIGC_MCP_STDIO_MAX_MESSAGE_BYTES",
    flag: "--stdio-max-message-bytes",
    description:
      "Largest JSON-RPC message read over stdio (inline data: URIs count; base64 grows a file by 4/3). A larger one gets an error answer and the server keeps running; pass a file path or URL instead.",
    default: "67108864",
  },
  {
    name: "AIGC_MCP_OUTPUT_DIR",
    flag: "--output-dir",
    description:
      "Where media and job records are written (created if missing). Results always give absolute paths. `--sandbox` defaults to `~/aigc-mcp-output/sandbox`.",
    default: "~/aigc-mcp-output",
  },
  {
    name: "AIGC_MCP_INLINE_MAX_BYTES",
    flag: "--inline-max-bytes",
    description:
      "Raw media bytes embedded in one result (base64 grows it by 4/3; the default keeps a result under Claude Desktop's 1 MiB limit). `0` = links only.",
    default: "700000",
  },
  {
    name: "AIGC_MCP_MAX_MEDIA_BYTES",
    flag: "--max-media-bytes",
    description: "Largest download or local input accepted.",
    default: "536870912",
  },
  {
    name: "AIGC_MCP_MAX_OPEN_FILES",
    flag: "--max-open-files",
    description:
      "Downloads and media files open at once; more wait their turn in a queue, so a burst of calls waits instead of failing with EMFILE (too many open files).",
    default: "16",
  },
  {
    name: "AIGC_MCP_INPUT_ROOTS",
    flag: "--input-roots",
    description:
      "Folders local file inputs may be read from, separated by `:` (`;` on Windows). Default: the output folder and the working directory over stdio; over HTTP local paths are refused unless this is set.",
  },
  {
    name: "AIGC_MCP_FETCH_ALLOW_HOSTS",
    flag: "--fetch-allow-hosts",
    description:
      "Hosts (`name` or `name:port`, comma-separated) the server may download from although they resolve to a loopback, private, link-local or metadata address. Vendor base URLs you configure are always allowed.",
  },
  {
    name: "AIGC_MCP_DEFAULT_WAIT_S",
    flag: "--default-wait",
    description: "Seconds a generation call waits before returning a job handle (a call's `wait_seconds` overrides it).",
    default: "45",
  },
  { name: "AIGC_MCP_MAX_WAIT_S", flag: "--max-wait", description: "Largest `wait_seconds` a call may ask for.", default: "600" },
  {
    name: "AIGC_MCP_VENDOR_TIMEOUT_S",
    flag: "--vendor-timeout",
    description: "Timeout in seconds for one vendor HTTP request (to the headers, and between body chunks).",
    default: "180",
  },
  {
    name: "AIGC_MCP_LOG_LEVEL",
    flag: "--log-level",
    description: "`debug`, `info`, `warn` or `error`. Logs go to stderr only and never contain credentials.",
    default: "info",
  },
  {
    name: "AIGC_MCP_MODEL_CHECKS",
    flag: "--model-checks",
    description:
      "`advise`: per-model capability rules from the model catalogs add a note to results and explain vendor refusals, but never block a call. `strict`: refuse such calls before contacting the vendor. Retired models are refused either way.",
    default: "advise",
  },
  {
    name: "AIGC_MCP_MODELS_FILE",
    flag: "--models-file",
    description:
      "JSON file that adds models, changes capabilities or marks models retired without waiting for a release (see Model catalogs). Checked at start-up; a bad entry stops the server with one line naming it.",
  },
];

declareEnv(CORE_ENV);

export interface CoreConfig {
  transport: "stdio" | "http";
  host: string;
  port: number;
  authToken?: string;
  allowedHosts: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxConnections: number;
  stdioMaxMessageBytes: number;
  sseKeepAliveMs: number;
  outputDir: string;
  inlineMaxBytes: number;
  maxMediaBytes: number;
  /** Downloads and open media files at once (the media queue). */
  maxOpenFiles: number;
  /** Explicitly configured input roots (undefined = defaults apply). */
  inputRoots?: string[];
  /** Hosts downloads may reach on non-public addresses: AIGC_MCP_FETCH_ALLOW_HOSTS plus the configured vendor endpoints. */
  fetchAllowHosts: string[];
  defaultWaitS: number;
  maxWaitS: number;
  vendorTimeoutMs: number;
  logLevel: "debug" | "info" | "warn" | "error";
  /** How per-model capability rules apply: advise (never block) or strict (refuse locally). */
  modelChecks: "advise" | "strict";
  /** AIGC_MCP_MODELS_FILE, resolved; read by loadVendors. */
  modelsFile?: string;
  sandbox: boolean;
}

export function expandHome(p: string): string {
  return p === "~" ? homedir() : p.startsWith("~/") ? resolve(homedir(), p.slice(2)) : p;
}

export function parseCoreConfig(env: Env): CoreConfig {
  const d = (name: string) => CORE_ENV.find((v) => v.name === name)?.default;
  const withDefault = (name: string) => ({ ...env, [name]: env[name] || d(name) });
  const e = (name: string) => withDefault(name);
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
    headersTimeoutMs: envValue(e("AIGC_MCP_HEADERS_TIMEOUT_S"), "AIGC_MCP_HEADERS_TIMEOUT_S", zInt(1, 3600)) * 1000,
    bodyTimeoutMs: envValue(e("AIGC_MCP_BODY_TIMEOUT_S"), "AIGC_MCP_BODY_TIMEOUT_S", zInt(1, 3600)) * 1000,
    maxConnections: envValue(e("AIGC_MCP_MAX_CONNECTIONS"), "AIGC_MCP_MAX_CONNECTIONS", zInt(1, 100_000)),
    stdioMaxMessageBytes: envValue(e("AIGC_MCP_STDIO_MAX_MESSAGE_BYTES"), "AIGC_MCP_STDIO_MAX_MESSAGE_BYTES", zInt(1 << 20, 1 << 30)),
    sseKeepAliveMs: envValue(e("AIGC_MCP_SSE_KEEPALIVE_S"), "AIGC_MCP_SSE_KEEPALIVE_S", zInt(0, 3600)) * 1000,
    outputDir: resolve(expandHome(env.AIGC_MCP_OUTPUT_DIR || d("AIGC_MCP_OUTPUT_DIR")!)),
    inlineMaxBytes: envValue(e("AIGC_MCP_INLINE_MAX_BYTES"), "AIGC_MCP_INLINE_MAX_BYTES", zInt(0, 50_000_000)),
    maxMediaBytes: envValue(e("AIGC_MCP_MAX_MEDIA_BYTES"), "AIGC_MCP_MAX_MEDIA_BYTES", zInt(1024, 8 * 1024 ** 3)),
    maxOpenFiles: envValue(e("AIGC_MCP_MAX_OPEN_FILES"), "AIGC_MCP_MAX_OPEN_FILES", zInt(1, 4096)),
    inputRoots: roots,
    fetchAllowHosts: envValue(env, "AIGC_MCP_FETCH_ALLOW_HOSTS", zList.optional()) ?? [],
    defaultWaitS: envValue(e("AIGC_MCP_DEFAULT_WAIT_S"), "AIGC_MCP_DEFAULT_WAIT_S", zInt(0, 3600)),
    maxWaitS: envValue(e("AIGC_MCP_MAX_WAIT_S"), "AIGC_MCP_MAX_WAIT_S", zInt(1, 3600)),
    vendorTimeoutMs: envValue(e("AIGC_MCP_VENDOR_TIMEOUT_S"), "AIGC_MCP_VENDOR_TIMEOUT_S", zInt(1, 3600)) * 1000,
    logLevel: envValue(
      e("AIGC_MCP_LOG_LEVEL"),
      "AIGC_MCP_LOG_LEVEL",
      z.enum(["debug", "info", "warn", "error"], "must be debug, info, warn or error"),
    ),
    modelChecks: envValue(e("AIGC_MCP_MODEL_CHECKS"), "AIGC_MCP_MODEL_CHECKS", z.enum(["advise", "strict"], "must be advise or strict")),
    modelsFile: env.AIGC_MCP_MODELS_FILE ? resolve(expandHome(env.AIGC_MCP_MODELS_FILE)) : undefined,
    sandbox: false,
  };
  if (cfg.defaultWaitS > cfg.maxWaitS)
    throw new ConfigError("AIGC_MCP_DEFAULT_WAIT_S", `must not exceed AIGC_MCP_MAX_WAIT_S (${cfg.maxWaitS})`);
  return cfg;
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
