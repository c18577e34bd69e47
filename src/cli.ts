/** Command-line parsing and `--help`. Flags set the same values as their environment variables. */
import { parseArgs as parseArgv, type ParseArgsConfig } from "node:util";
import { CORE_ENV, type ConfigError, type Env, type EnvVar } from "./config.js";
import { nearest } from "./nearest.js";
import { PLUGINS } from "./plugins.js";
import { VERSION } from "./version.js";

export interface CliArgs {
  command: "serve" | "check" | "budget" | "help" | "version";
  sandbox: boolean;
  /** Environment values set by flags. */
  env: Env;
  /** The flag that set each of `env`'s variables, by variable (for configErrorText). */
  flags: Record<string, string>;
}

export class UsageError extends Error {}

const SUBCOMMANDS = ["check", "budget", "help"] as const;

/** node:util's option table: the switches, then every core variable that has a flag (taking a value). */
function options(): NonNullable<ParseArgsConfig["options"]> {
  const out: NonNullable<ParseArgsConfig["options"]> = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
    sandbox: { type: "boolean" },
    http: { type: "boolean" },
    stdio: { type: "boolean" },
  };
  for (const v of CORE_ENV) if (v.flag) out[v.flag.replace(/^--/, "")] = { type: "string" };
  return out;
}

/**
 * Parses the command line with node:util's parseArgs: flags and the subcommand (`check`, `help`)
 * in any order, `--flag value` or `--flag=value`. An unknown flag is refused naming the nearest
 * valid one and listing them all.
 */
export function parseArgs(argv: string[]): CliArgs {
  const opts = options();
  const valid = Object.keys(opts).map((k) => `--${k}`);
  let parsed: ReturnType<typeof parseArgv<{ options: typeof opts; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgv({ args: argv, options: opts, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const flag = /'([^']+)'/.exec((err as Error).message)?.[1]?.split(/[=, ]/)[0] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const near = nearest(flag, valid);
      throw new UsageError(`unknown flag "${flag}"${near ? `; did you mean ${near}?` : ""} (valid flags: ${valid.join(", ")}, -h, -v)`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /argument missing/.test((err as Error).message)) {
      throw new UsageError(`${flag} needs a value`);
    }
    // "--max-wait -3": a value that starts with a dash must be joined to its flag.
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /ambiguous/.test((err as Error).message))
      throw new UsageError(`${flag} needs a value; for one that starts with a dash, join them: ${flag}=-…`);
    throw new UsageError(`${(err as Error).message.split("\n")[0]} (see aigc-mcp --help)`);
  }
  const { values, positionals } = parsed;
  const out: CliArgs = { command: "serve", sandbox: values.sandbox === true, env: {}, flags: {} };
  for (const p of positionals) {
    if (!(SUBCOMMANDS as readonly string[]).includes(p)) {
      const near = nearest(p, [...SUBCOMMANDS]);
      throw new UsageError(
        `unknown argument "${p}"${near ? `; did you mean ${near}?` : ""} (subcommands: ${SUBCOMMANDS.join(", ")}; see aigc-mcp --help)`,
      );
    }
  }
  // `help check` is help (about everything: there is one help text)
  if (new Set(positionals).size > 1 && !positionals.includes("help"))
    throw new UsageError(`give one subcommand, not ${positionals.join(" and ")}`);
  if (values.http && values.stdio) throw new UsageError("--http and --stdio contradict each other: give one");
  const set = (name: string, value: string, flag: string) => {
    out.env[name] = value;
    out.flags[name] = flag;
  };
  if (values.http) set("AIGC_MCP_TRANSPORT", "http", "--http");
  if (values.stdio) set("AIGC_MCP_TRANSPORT", "stdio", "--stdio");
  for (const v of CORE_ENV) {
    const value = v.flag ? values[v.flag.replace(/^--/, "")] : undefined;
    if (typeof value === "string") set(v.name, value, v.flag!);
  }
  if (positionals.includes("check")) out.command = "check";
  if (positionals.includes("budget")) out.command = "budget";
  if (values.help || positionals.includes("help")) out.command = "help";
  else if (values.version) out.command = "version";
  return out;
}

/**
 * A configuration error's text, naming the flag as well when its variable's value came from one
 * ("--port (AIGC_MCP_PORT): must be a whole number"): a flag outranks its variable, so the flag is
 * what to change.
 */
export function configErrorText(err: ConfigError, flags: Readonly<Record<string, string>>): string {
  const flag = flags[err.variable];
  const prefix = `${err.variable}: `;
  return flag && err.message.startsWith(prefix) ? `${flag} (${err.variable}): ${err.message.slice(prefix.length)}` : err.message;
}

function table(vars: EnvVar[], width: number): string {
  return vars
    .map((v) => {
      const head = `  ${v.name}${v.flag ? `  (${v.flag})` : ""}`;
      const tail = `${v.description}${v.default ? ` Default: ${v.default}.` : ""}${v.secret ? " Secret." : ""}`;
      return `${head}\n${wrap(tail, "      ", width)}`;
    })
    .join("\n");
}

/** The terminal's width; piped, $COLUMNS or 100; never under 40 or over 120. */
const helpWidth = () => Math.max(40, Math.min((process.stdout.isTTY && process.stdout.columns) || Number(process.env.COLUMNS) || 100, 120));

/**
 * `text` in lines of at most `width` columns, each starting with `indent`, broken at spaces outside
 * `code spans` (a span or a word longer than a line keeps a line of its own).
 */
export function wrap(text: string, indent: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.match(/(?:`[^`]*`|[^\s`])+|`/g) ?? []) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join("\n");
}

/** Two columns, the first as wide as its longest cell (a new long flag widens it instead of running into the second). */
function columns(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join("\n");
}

/**
 * The --help text, descriptions wrapped to `width` columns (the terminal's width when stdout is one,
 * else 100; a word longer than a line, such as a URL, keeps its own line).
 */
export function helpText(width = helpWidth()): string {
  return `${wrap(`aigc-mcp ${VERSION} — MCP server for ${PLUGINS.map((p) => p.title).join(", ")}`, "", width)}

Usage:
  aigc-mcp [options]          start the server (stdio by default)
  aigc-mcp --http [options]   serve Streamable HTTP at http://HOST:PORT/mcp
  aigc-mcp --sandbox          every tool against built-in simulators, no keys
  aigc-mcp check              check keys, job store and bucket (free calls)
  aigc-mcp budget             spending by vendor and day, and the limits
  aigc-mcp help | --help      this text (the README: Configuration)
  aigc-mcp --version

${wrap("Flags and the subcommand may come in any order: `aigc-mcp --sandbox check` is `aigc-mcp check --sandbox`.", "", width)}

${wrap("Options (each also settable by its environment variable):", "", width)}
${columns([
  ["--http | --stdio", "transport (AIGC_MCP_TRANSPORT)"],
  ["--sandbox", "local vendor simulators, no keys"],
  ...CORE_ENV.filter((v) => v.flag).map((v) => [`${v.flag} VALUE`, v.name] as const),
])}

Server environment variables:
${table(CORE_ENV, width)}

${wrap("Vendor credentials come only from the environment. A vendor whose credentials are absent has no tools.", "", width)}
${PLUGINS.map((p) => `\n${p.title}:\n${table(p.env, width)}`).join("\n")}
`;
}
