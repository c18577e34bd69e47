/** Command-line parsing and `--help`. Flags set the same values as their environment variables. */
import { CORE_ENV, type Env, type EnvVar } from "./config.js";
import { PLUGINS } from "./plugins.js";
import { VERSION } from "./version.js";

export interface CliArgs {
  command: "serve" | "check" | "help" | "version";
  sandbox: boolean;
  /** Environment values set by flags. */
  env: Env;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliArgs {
  const out: CliArgs = { command: "serve", sandbox: false, env: {} };
  const byFlag = new Map(CORE_ENV.filter((v) => v.flag).map((v) => [v.flag!, v.name]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "check" && i === 0) out.command = "check";
    else if (arg === "--help" || arg === "-h" || arg === "help") out.command = "help";
    else if (arg === "--version" || arg === "-v") out.command = "version";
    else if (arg === "--sandbox") out.sandbox = true;
    else if (arg === "--http") out.env.AIGC_MCP_TRANSPORT = "http";
    else if (arg === "--stdio") out.env.AIGC_MCP_TRANSPORT = "stdio";
    else {
      const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
      const name = byFlag.get(flag);
      if (!name) throw new UsageError(`unknown argument "${arg}" (see aigc-mcp --help)`);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      out.env[name] = value;
    }
  }
  return out;
}

function table(vars: EnvVar[]): string {
  return vars
    .map((v) => {
      const head = `  ${v.name}${v.flag ? `  (${v.flag})` : ""}`;
      const tail = `${v.description}${v.default ? ` Default: ${v.default}.` : ""}${v.secret ? " Secret." : ""}`;
      return `${head}\n      ${tail}`;
    })
    .join("\n");
}

export function helpText(): string {
  return `aigc-mcp ${VERSION} — MCP server for ${PLUGINS.map((p) => p.title).join(", ")}

Usage:
  aigc-mcp [options]          start the server (stdio by default)
  aigc-mcp --http [options]   serve Streamable HTTP at http://HOST:PORT/mcp (health: /healthz)
  aigc-mcp --sandbox          use built-in vendor simulators: every tool works with no keys
  aigc-mcp check              test each configured vendor's credentials with free calls
  aigc-mcp --help | --version

Options (each also settable by its environment variable):
  --http | --stdio            transport (AIGC_MCP_TRANSPORT)
  --sandbox                   run against local simulators; real credentials are ignored
${CORE_ENV.filter((v) => v.flag)
  .map((v) => `  ${v.flag} VALUE`.padEnd(30) + v.name)
  .join("\n")}

Server environment variables:
${table(CORE_ENV)}

Vendor credentials come only from the environment. A vendor whose credentials are absent has no tools.
${PLUGINS.map((p) => `\n${p.title}:\n${table(p.env)}`).join("\n")}
`;
}
