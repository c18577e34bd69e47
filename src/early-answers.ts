/**
 * Early answers (issue 16, goal 1): a stdio start whose stored tool list (src/stored-tool-list.ts)
 * also holds the server's initialize answer answers the client's `initialize` and `tools/list` from
 * it in the entry, before the ~3 MB server bundle runs. A client waits ~50 ms for its tool list
 * instead of the ~250 ms the bundle takes to load, evaluate and build its tools.
 *
 * Only the opening of a session is answered here, in order: `initialize` first, then `tools/list`
 * (`notifications/initialized` in between is passed on). Anything else (another request, a line that
 * is not one of these, a flag other than `--sandbox` or a subcommand on the command line) ends the early answers, and the
 * server answers it and all that follows. The server's stdio transport takes over stdin with every
 * byte read so far (takeEarlyAnswers): it handles the answered requests again (so its session state
 * is the one a client sees), drops its own second answers, and sends
 * notifications/tools/list_changed when the tool list it would have sent differs from the one sent here.
 */
import type { Readable, Writable } from "node:stream";
import { LineReader } from "./transports/lines.js";
import { isObject } from "./is-object.js";
import { parseList, readStoredFile, type KeyVar, type ListResult, type StoredHandshake } from "./stored-tool-list.js";

/** What the early answers answer with: the server's initialize answer and its tool list's text. */
interface Answers {
  file: string;
  initialize: StoredHandshake;
  listText: string;
}

/** What the server's stdio transport takes over: stdin as read so far, and what was answered. */
export interface EarlyAnswers {
  /** Every chunk read from stdin, in order: the answered requests too (the server handles them again). */
  chunks: Buffer[];
  /** The requests answered, by their id as JSON: the method and the result sent. */
  answered: Map<string, { method: string; result: unknown }>;
  /** Why stdin ended before the hand-over, if it did. */
  ended?: string;
  /** The stored list the answers came from (none when there was nothing to answer with: the input was only kept). */
  file?: string;
}

const HANDOVER = Symbol.for("aigc-mcp.early-answers");
/** How long the bundle waits for the client's next request (the first, or tools/list after initialize) before it runs. */
const WAIT_MS = 50;
/** A longer line is not one of the small requests answered here: the server reads it. */
const MAX_LINE_BYTES = 64 * 1024;
/** Past this much unread input, stdin is paused until the server takes over (its transport caps each message). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Answers the session's opening from the stored list for this build and configuration in `dir` (the
 * compile cache's folder) when it holds an initialize answer. Resolves once the file is read, to
 * `ready`, which settles when the bundle should run: at once when there is nothing to answer with
 * (stdin as read so far is kept for the server), else when the tool list was sent, something else
 * arrived, stdin ended, or nothing came for WAIT_MS. The answers go on (while the bundle loads)
 * until the server takes over. Resolves to undefined, reading nothing, with arguments on the command
 * line other than `--sandbox`, or AIGC_MCP_TRANSPORT=http. Rejects only if stdin or stdout cannot be made.
 */
export async function answerEarly(
  dir: string,
  build: string,
  vars: readonly KeyVar[],
  io: { argv: string[]; env: NodeJS.ProcessEnv; stdin: () => Readable; stdout: () => Writable } = {
    argv: process.argv.slice(2),
    env: process.env,
    stdin: () => process.stdin,
    stdout: () => process.stdout,
  },
): Promise<{ ready: Promise<void> } | undefined> {
  // stdio is the default transport; other flags, subcommands and an HTTP server's stdin are left alone
  const sandbox = io.argv.length === 1 && io.argv[0] === "--sandbox";
  if ((io.argv.length && !sandbox) || io.env.AIGC_MCP_TRANSPORT === "http") return undefined;
  const reading = readStoredFile({ dir, build }, io.env, vars, sandbox);
  // stdin is read while the file is: the client's initialize is usually there already
  let ready!: () => void;
  const settled = new Promise<void>((resolve) => (ready = resolve));
  const responder = new Responder(io.stdin(), io.stdout(), ready);
  (globalThis as { [HANDOVER]?: () => EarlyAnswers })[HANDOVER] = () => responder.handOver();
  const stored = await reading;
  responder.use(
    stored?.initialize && stored.listText ? { file: stored.file, initialize: stored.initialize, listText: stored.listText } : undefined,
  );
  return { ready: settled };
}

/**
 * For the server's stdio transport: stops the early answers (stdin paused, listeners removed) and
 * returns what they read and sent, or undefined when there were none. Once per process.
 */
export function takeEarlyAnswers(): EarlyAnswers | undefined {
  const g = globalThis as { [HANDOVER]?: () => EarlyAnswers };
  const take = g[HANDOVER];
  delete g[HANDOVER];
  return take?.();
}

class Responder {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  /** The stored file was read (use() was called). */
  private read = false;
  /** The answers, once read; until then input is only kept. */
  private stored?: Answers;
  /** The stored tool list, parsed after initialize is answered (the client's round trip hides it). */
  private list?: ListResult;
  private answering = true;
  private initialized = false;
  private ended?: string;
  private readonly answered = new Map<string, { method: string; result: unknown }>();
  private timer?: NodeJS.Timeout;
  /** Lines of the opening; one longer than any request answered here ends the answers. */
  private readonly reader = new LineReader(MAX_LINE_BYTES, {
    line: (text) => void (this.answering && this.handle(text)),
    oversized: () => this.stop(),
  });

  constructor(
    private readonly stdin: Readable,
    private readonly stdout: Writable,
    private readonly ready: () => void,
  ) {
    stdin.on("data", this.onData);
    stdin.on("end", this.onEnd);
    stdin.on("error", this.onError);
    stdout.on("error", this.onStdoutError);
  }

  /** Answers from `stored` (the input kept so far first), or, without it, only keeps the input for the server. */
  use(stored: Answers | undefined) {
    this.read = true;
    if (!stored || !this.answering) return this.stop();
    this.stored = stored;
    this.wait();
    for (const chunk of this.chunks) if (this.answering) this.reader.push(chunk);
    // stdin ended while the file was read: what came before it is answered all the same
    if (this.ended) this.stop();
  }

  handOver(): EarlyAnswers {
    this.stop();
    this.stdin.pause();
    this.stdin.off("data", this.onData);
    this.stdin.off("end", this.onEnd);
    this.stdin.off("error", this.onError);
    this.stdout.off("error", this.onStdoutError);
    return {
      chunks: this.chunks,
      answered: this.answered,
      ...(this.stored ? { file: this.stored.file } : {}),
      ...(this.ended ? { ended: this.ended } : {}),
    };
  }

  private readonly onData = (chunk: Buffer) => {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > MAX_BUFFERED_BYTES) {
      this.stdin.pause();
      this.stop();
    }
    if (this.stored && this.answering) this.reader.push(chunk);
  };

  private readonly onEnd = () => this.finish("stdin ended (the client closed the connection)");
  private readonly onError = (err: Error) => this.finish(`stdin failed: ${err.message}`);
  // the client is gone; stdin ends too, and the server's transport says so
  private readonly onStdoutError = () => this.stop();

  private finish(reason: string) {
    this.ended ??= reason;
    if (this.read) this.stop();
  }

  /** One complete line while answering: the next request of the opening is answered, anything else stops. */
  private handle(text: string) {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.stop();
    }
    if (!isObject(msg) || msg.jsonrpc !== "2.0" || typeof msg.method !== "string") return this.stop();
    const { id, method, params } = msg;
    if (id === undefined) return method === "notifications/initialized" && this.initialized ? undefined : this.stop();
    // the SDK's JSONRPCRequestSchema: strict, an id is a string or an integer; an id used twice (the
    // MCP spec forbids it) is left to the server, which answers each
    if (!Object.keys(msg).every((k) => REQUEST_KEYS.has(k))) return this.stop();
    if (!isRequestId(id) || this.answered.has(JSON.stringify(id))) return this.stop();
    if (!this.initialized && method === "initialize" && isInitializeParams(params)) {
      this.initialized = true;
      this.answer(id, method, initializeResult(this.stored!.initialize, params.protocolVersion));
      this.list = parseList(this.stored!.listText);
      return this.wait();
    }
    if (this.initialized && this.list && method === "tools/list" && isListParams(params)) {
      this.answering = false;
      // the bundle holds the main thread for ~150 ms: the list (~100 KB, more than a pipe holds) goes
      // out first, unless the client does not read it
      this.answered.set(JSON.stringify(id), { method, result: this.list });
      // the stored text as it is, when on one line (it parsed as the list): not stringified again
      const text = this.stored!.listText.includes("\n") ? JSON.stringify(this.list) : this.stored!.listText;
      this.stdout.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${text}}\n`, this.ready);
      return this.wait();
    }
    this.stop();
  }

  private answer(id: string | number, method: string, result: unknown) {
    this.answered.set(JSON.stringify(id), { method, result });
    this.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id, result })}\n`);
  }

  /** The bundle runs if nothing comes for WAIT_MS. */
  private wait() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.ready(), WAIT_MS);
    this.timer.unref();
  }

  private stop() {
    this.answering = false;
    clearTimeout(this.timer);
    this.ready();
  }
}

/** The SDK's initialize answer for the client's requested version (Server._oninitialize in @modelcontextprotocol/sdk). */
function initializeResult(h: StoredHandshake, requested: string): Record<string, unknown> {
  return { protocolVersion: h.supported.includes(requested) ? requested : h.latest, ...h.result };
}

const isRequestId = (id: unknown): id is string | number => typeof id === "string" || Number.isSafeInteger(id);

/** The keys of a JSON-RPC request (the SDK's schema refuses any other). */
const REQUEST_KEYS = new Set(["jsonrpc", "id", "method", "params"]);

/**
 * Initialize parameters the SDK's InitializeRequestSchema accepts (@modelcontextprotocol/sdk
 * types.js), checked for what clients send: a version, the capabilities of the 2025-11-25 spec with
 * their types (other keys are ignored by the SDK too), and the client's name and version (with
 * title, description or websiteUrl, as text). Anything rarer (`_meta`, `tasks`, `icons`) is left to
 * the server: answering it early is only faster, answering what the SDK refuses would be wrong.
 */
function isInitializeParams(p: unknown): p is { protocolVersion: string } {
  if (!isObject(p) || typeof p.protocolVersion !== "string" || !isObject(p.capabilities) || !isObject(p.clientInfo)) return false;
  if (Object.keys(p).some((k) => !["protocolVersion", "capabilities", "clientInfo"].includes(k))) return false;
  const { experimental, extensions, sampling, elicitation, roots, tasks } = p.capabilities;
  const info = p.clientInfo;
  return (
    tasks === undefined &&
    [experimental, extensions].every((r) => r === undefined || (isObject(r) && Object.values(r).every(isObject))) &&
    (sampling === undefined || (isObject(sampling) && [sampling.context, sampling.tools].every(optionalObject))) &&
    (elicitation === undefined ||
      (isObject(elicitation) &&
        (elicitation.form === undefined || (isObject(elicitation.form) && optional(elicitation.form.applyDefaults, "boolean"))) &&
        optionalObject(elicitation.url))) &&
    (roots === undefined || (isObject(roots) && optional(roots.listChanged, "boolean"))) &&
    typeof info.name === "string" &&
    typeof info.version === "string" &&
    info.icons === undefined &&
    [info.title, info.description, info.websiteUrl].every((x) => optional(x, "string"))
  );
}

const optional = (x: unknown, type: "string" | "boolean") => x === undefined || typeof x === type;
const optionalObject = (x: unknown) => x === undefined || isObject(x);

/** tools/list without parameters (a cursor or `_meta` is left to the server). */
const isListParams = (p: unknown) => p === undefined || (isObject(p) && Object.keys(p).length === 0);
