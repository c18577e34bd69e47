/** The core's environment variables: the single source of `--help`, the README tables and `check`. */
import type { EnvVar } from "./config.js";

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
      "When set, every HTTP request needs `Authorization: Bearer <token>` (compared in constant time). At least 16 characters once surrounding whitespace (a secret file's newline) is trimmed. Required to bind a non-loopback host.",
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
    description:
      "Extra browser `Origin`s accepted over HTTP and answered with CORS headers (a web app can then hold a session), comma-separated; loopback origins are always accepted, with CORS only when listed. Others get 403.",
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
    name: "AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT",
    flag: "--max-body-bytes-in-flight",
    description:
      "Most bytes of HTTP request bodies over 64 KiB held at once (each until answered) and, apart, of media read for calls from files, media:// URIs and downloads (until sent); both also wait on requests to vendors. No room in 3 × the body timeout (a read: its call's wait if longer): 503, or Busy.",
    default: "33554432",
  },
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
    description:
      "Most HTTP connections open at once; one more closes the oldest open one serving no request, or gets 503 when all are. Each connected MCP client's event stream and each open tool call holds one. Also the sockets kept per vendor origin (over stdio too).",
    default: "256",
  },
  {
    name: "AIGC_MCP_SHUTDOWN_GRACE_S",
    flag: "--shutdown-grace",
    description:
      "HTTP, on SIGTERM/SIGINT: most seconds to answer the calls in flight before exiting (no new ones are taken). Waits on vendor tasks end at once with their job id (any server on the job store resumes it); synchronous calls get this long. A second signal exits at once.",
    default: "25",
  },
  {
    name: "AIGC_MCP_PUBLIC_URL",
    flag: "--public-url",
    description:
      "Externally reachable base URL of the HTTP server (e.g. `https://aigc.example.com`, a path allowed; no user name, password, query or fragment): every asset then carries a signed `download_url` (`<url>/media/<name>?exp=…&sig=…`) this server serves. Needs `AIGC_MCP_MEDIA_URL_SECRET` and `--http`.",
  },
  {
    name: "AIGC_MCP_MEDIA_URL_SECRET",
    description:
      "HMAC-SHA256 key signing download URLs, at least 32 characters (e.g. `openssl rand -hex 32`). Replicas share it; changing it invalidates every URL already given out.",
    secret: true,
  },
  {
    name: "AIGC_MCP_TASK_CALLBACKS",
    description:
      "With `AIGC_MCP_PUBLIC_URL`: `true` creates Ark (Seedance) and Kling tasks with a `callback_url` (`<url>/callbacks/<vendor>?sig=…`), and a job whose vendor calls back polls its task at once instead of at its next scheduled poll (up to 5–8 s later). `false`: polls only.",
    default: "true",
  },
  {
    name: "AIGC_MCP_MEDIA_URL_TTL_S",
    flag: "--media-url-ttl",
    description: "Seconds a download URL stays valid (a fresh one comes with every get_job or wait_for_job).",
    default: "604800",
  },
  {
    name: "AIGC_MCP_S3_BUCKET",
    description:
      "S3-compatible bucket every output is copied to (multipart upload, streamed); `download_url` is then a presigned GET valid `AIGC_MCP_MEDIA_URL_TTL_S` (at most 7 days). Credentials: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (or the AWS SDK's other standard sources).",
  },
  {
    name: "AIGC_MCP_S3_ENDPOINT",
    description:
      "Endpoint of a non-AWS store, e.g. `https://tos-s3-cn-beijing.volces.com` (Volcengine TOS), `https://s3.oss-cn-beijing.aliyuncs.com` (Alibaba Cloud OSS), `http://127.0.0.1:9000` (MinIO). Unset = AWS S3.",
  },
  { name: "AIGC_MCP_S3_REGION", description: "The bucket's region (`AWS_REGION` when unset, else `us-east-1`), e.g. `cn-beijing`." },
  { name: "AIGC_MCP_S3_PREFIX", description: "Key prefix for outputs in the bucket, e.g. `aigc-mcp/outputs`." },
  {
    name: "AIGC_MCP_S3_FORCE_PATH_STYLE",
    description:
      "`true` for path-style URLs (`<endpoint>/<bucket>/<key>`), which MinIO needs; AWS, TOS and OSS use virtual-hosted style (`false`).",
    default: "false",
  },
  {
    name: "AIGC_MCP_KEEP_LOCAL",
    description:
      "With a bucket: `false` deletes the local file once it is uploaded (a file read later is fetched back into `.aigc-mcp/cache/` for an hour).",
    default: "true",
  },
  { name: "AWS_ACCESS_KEY_ID", description: "Access key id of the bucket's credentials (with `AWS_SECRET_ACCESS_KEY`)." },
  { name: "AWS_SECRET_ACCESS_KEY", description: "Secret of the bucket's credentials (with `AWS_ACCESS_KEY_ID`).", secret: true },
  { name: "AWS_SESSION_TOKEN", description: "Session token of temporary bucket credentials (STS).", secret: true },
  {
    name: "AIGC_MCP_REDIS_URL",
    description:
      "Redis for job state shared by replicas (`redis://[:password@]host:6379/0`, `rediss://` for TLS): job records, `list_jobs`, the list of generated media and download leases. Unset = files in the output folder. Checked at start-up.",
    secret: true,
  },
  {
    name: "AIGC_MCP_REDIS_PREFIX",
    flag: "--redis-prefix",
    description: "Prefix of every Redis key this server writes (servers sharing a Redis with one prefix share their jobs).",
    default: "aigc-mcp:",
  },
  {
    name: "AIGC_MCP_JOB_RETENTION_DAYS",
    flag: "--job-retention-days",
    description:
      "Days a job record is kept after its last change (Redis: key expiry; output folder: older records are swept hourly). Media files are not deleted.",
    default: "30",
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
      "Where media and job records are written (created if missing). Results give each output kept there by its absolute path. `--sandbox` defaults to `~/aigc-mcp-output/sandbox`.",
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
    name: "AIGC_MCP_DELIVERY",
    flag: "--delivery",
    description:
      "How results carry media: `embed` (files embedded within the inline budget, links for the rest), `link` (no file data: paths and `media://` URIs only) or `preview` (a small image the model can see, plus paths). A call's `delivery` argument overrides it.",
    default: "embed",
  },
  {
    name: "AIGC_MCP_APPS",
    description:
      "`false` stops declaring the MCP App viewer (`ui://aigc-mcp/viewer`) on media and job tools and adding its `_meta` to their results. Hosts without MCP Apps ignore both: text and structuredContent are the same either way.",
    default: "true",
  },
  {
    name: "AIGC_MCP_TASKS",
    description:
      "`true` lets clients run the generation tools as MCP tasks (2025-11-25, experimental): `tools/call` with `task` answers at once, then `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` work on the jobs (any replica sharing the job store).",
    default: "false",
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
      "Folders local file inputs may be read from, separated by `:` (`;` on Windows). Default over stdio: the output folder and the working directory (each left out when it is / or the home folder); over HTTP local paths are refused unless this is set. Logged at start-up.",
  },
  {
    name: "AIGC_MCP_FETCH_ALLOW_HOSTS",
    flag: "--fetch-allow-hosts",
    description:
      "Hosts (`name` or `name:port`, comma-separated) the server may download from though they are or resolve to a loopback or private address; URL inputs there (e.g. Dify's `api:5001`) go to vendors as bytes. Vendor base URLs always may. Link-local and cloud metadata hosts are refused.",
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
      "`advise`: arguments outside a model's documented values (model catalogs) add a note to results and explain vendor refusals, but never block a call. `strict`: refuse such calls before the vendor. Retired models are refused either way.",
    default: "advise",
  },
  {
    name: "AIGC_MCP_TOOLSETS",
    flag: "--toolsets",
    description:
      "Tools to list, comma-separated, any case: vendor ids, `jobs` (get_job, wait_for_job, cancel_job, list_jobs), `models` (list_models), `cost` (estimate_cost, get_budget). Default: all of them. An unknown name stops the server; an empty entry is ignored with a warning.",
  },
  {
    name: "AIGC_MCP_MODELS_FILE",
    flag: "--models-file",
    description:
      "JSON file that adds models, changes capabilities or marks models retired without waiting for a release (see Model catalogs). Checked at start-up; a bad entry stops the server with one line naming it.",
  },
  {
    name: "AIGC_MCP_PRICES_FILE",
    flag: "--prices-file",
    description:
      'JSON file with your prices (contract prices, resource packs, prices no vendor publishes), replacing the built-in list prices: `{"ark":[{"model":"doubao-seedream-5-0-pro-260628","currency":"CNY","unit":"image","amount":0.22}]}` (see Cost control).',
  },
  {
    name: "AIGC_MCP_BUDGET",
    flag: "--budget",
    description:
      "Spending limits, comma-separated `[vendor:]daily|monthly:<amount><CNY|USD>`, e.g. `daily:200CNY,monthly:3000CNY,kling:daily:20USD`. Enforced across concurrent calls and replicas; a call that would pass a limit is refused before any vendor request.",
  },
  {
    name: "AIGC_MCP_BUDGET_TIMEZONE",
    description: "IANA time zone in which budget days and months start (e.g. `Asia/Shanghai`).",
    default: "UTC",
  },
  {
    name: "AIGC_MCP_BUDGET_UNKNOWN_PRICE",
    description:
      "Under a budget, what happens to a call whose price is unknown: `refuse` (give its price in AIGC_MCP_PRICES_FILE) or `allow` (it runs and is counted as unpriced). Also a call whose cost nothing bounds before it runs (a chat without max_tokens): `allow` holds it at its lower bound.",
    default: "refuse",
  },
  {
    name: "AIGC_MCP_CONFIRM_ABOVE",
    flag: "--confirm-above",
    description:
      "Ask the user before a call estimated above this amount (`5CNY`, `1USD`, both comma-separated, or one bare number for any currency, alone): through the client's elicitation form, or else by refusing until the call is repeated with `confirm: true`.",
  },
];
