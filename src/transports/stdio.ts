/**
 * stdio: newline-delimited JSON-RPC on stdin/stdout. The SDK's StdioServerTransport keeps one
 * read buffer capped at 10 MiB and closes the transport when a message overflows it (and copies
 * the whole buffer on every chunk), so one large data: URI ended the server. This transport
 * reads line by line with a per-message cap (AIGC_MCP_STDIO_MAX_MESSAGE_BYTES): a larger message
 * is skipped to its newline and answered with a JSON-RPC error naming the limit; the server
 * keeps running. So is a message over the value or depth limit (message-limits.ts), before the SDK
 * validates it. It closes only when stdin ends (once the requests read before are answered, 1 s
 * at most) or a stream fails, and says why on stderr.
 *
 * Given the entry's early answers (src/early-answers.ts), it starts with the input they read: the
 * requests they answered are handled again, and the server's second answers to them are not sent.
 */
import type { Readable, Writable } from "node:stream";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  JSONRPCMessageSchema,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
} from "@modelcontextprotocol/sdk/types.js";
import type { AppContext } from "../context.js";
import { takeEarlyAnswers, type EarlyAnswers } from "../early-answers.js";
import { log } from "../log.js";
import { createMcpServer } from "../server.js";
import { LineReader } from "./lines.js";
import { batchNotRun, invalidMessage, requestIdOf } from "./invalid-message.js";
import { EDGE, LARGE_MEDIA, messageRefusal, requestId, type MessageRefusal } from "./message-limits.js";
import type { StoredHandshake, StoredToolList } from "../stored-tool-list.js";
import { useStoredToolList } from "../tools/listing.js";

/**
 * How long requests read before stdin ended may take to be answered before the transport closes:
 * enough for what answers at once (a list, a ping, a job's state). A call still running is cut
 * short, as it was when the transport closed at once (its job record stays: list_jobs shows it).
 * Below the 2 s the SDK's stdio client waits before it terminates the server.
 */
const END_GRACE_MS = 1000;
/** How long jobs only this process can finish (a billed answer arriving, outputs being saved) run on at exit: under the SDK client's 2 s. */
const HELD_GRACE_MS = 1500;

export class LineStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Called as the transport starts (the server is connected), before any input is read or its end handled. */
  onready?: () => void;
  /** Why the transport closed, for the exit log line. */
  closeReason?: string;
  /** The server's initialize answer, once sent (for the stored tool list). */
  handshake?: StoredHandshake;

  private closed = false;
  private initializeId?: string;
  /** Requests read and not answered (or cancelled) yet, by id as JSON, with how many use it: the end of stdin waits for them. */
  private readonly pending = new Map<string, number>();
  private endReason?: string;
  private endTimer?: NodeJS.Timeout;
  /** The wait for stdout's 'drain' that writes made while it was full share. */
  private drained?: Promise<void>;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly stdin: Readable = process.stdin,
    private readonly stdout: Writable = process.stdout,
    private readonly early?: EarlyAnswers,
  ) {
    this.reader = new LineReader(maxMessageBytes, {
      line: (text, bytes) => this.message(text, bytes),
      oversized: (...a) => this.refuse(...a),
    });
  }

  private readonly reader: LineReader;
  private readonly onData = (chunk: Buffer) => this.reader.push(chunk);
  private readonly onEnd = () => this.endOfInput("stdin ended (the client closed the connection)");
  private readonly onStdinError = (err: Error) => void this.shutdown(`stdin failed: ${err.message}`);
  private readonly onStdoutError = (err: Error) => void this.shutdown(`stdout failed: ${err.message}`);

  start(): Promise<void> {
    this.onready?.();
    // the early answers' input first, before any new input can arrive
    const chunks = this.early?.chunks ?? [];
    if (this.early) this.early.chunks = [];
    for (const chunk of chunks) this.onData(chunk);
    this.stdin.on("data", this.onData);
    this.stdin.on("end", this.onEnd);
    this.stdin.on("error", this.onStdinError);
    this.stdout.on("error", this.onStdoutError);
    if (this.early) {
      if (this.early.answered.size)
        log.debug(
          `${[...this.early.answered.values()].map((a) => a.method).join(" and ")} answered before the server loaded (early answers)`,
          {
            file: this.early.file,
          },
        );
      this.stdin.resume();
      if (this.early.ended) this.endOfInput(this.early.ended);
    }
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if ("id" in message && !("method" in message)) {
      const id = JSON.stringify(message.id);
      if (id === this.initializeId) {
        this.initializeId = undefined;
        if ("result" in message) this.handshake = handshakeOf(message.result);
      }
      const sent = this.early?.answered.get(id);
      if (sent) this.early!.answered.delete(id);
      const written = sent ? this.answeredEarly(sent, message) : this.write(message);
      return written.finally(() => this.answered(id));
    }
    return this.write(message);
  }

  /**
   * Resolves once stdout has taken the message (at once, or at its next 'drain'). Writes made while
   * it is full share one wait for 'drain': a listener each would make Node log a "possible memory
   * leak" past 10 answers waiting (a slow client, several large results at once).
   */
  private write(message: JSONRPCMessage): Promise<void> {
    if (this.stdout.write(JSON.stringify(message) + "\n")) return Promise.resolve();
    return (this.drained ??= new Promise<void>((resolve) =>
      this.stdout.once("drain", () => {
        this.drained = undefined;
        resolve();
      }),
    ));
  }

  /**
   * stdin ended: the transport closes once every request read has its answer (a client that writes
   * its requests and closes stdin at once gets them), or after END_GRACE_MS.
   */
  private endOfInput(reason: string): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    if (!this.pending.size) return void this.shutdown(reason);
    log.debug("stdin ended: closing once the requests read are answered", { pending: this.pending.size, grace_ms: END_GRACE_MS });
    this.endTimer = setTimeout(() => void this.shutdown(reason), END_GRACE_MS);
  }

  /** A request no longer awaits its answer: answered, or cancelled by the client (the SDK then sends none). */
  private answered(id: string): void {
    const n = this.pending.get(id) ?? 0;
    if (n > 1) this.pending.set(id, n - 1);
    else this.pending.delete(id);
    if (this.endReason !== undefined && !this.pending.size) void this.shutdown(this.endReason);
  }

  /**
   * The server's own answer to a request the early answers answered: not sent. When the tool list
   * differs (its stored list changed meanwhile), the client is told to list again.
   */
  private answeredEarly(sent: { method: string; result: unknown }, own: JSONRPCMessage): Promise<void> {
    const result = "result" in own ? own.result : undefined;
    if (JSON.stringify(result) === JSON.stringify(sent.result)) return Promise.resolve();
    if (sent.method === "tools/list") {
      log.info("the tool list sent before the server loaded was out of date (notifications/tools/list_changed sent)");
      return this.write({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
    }
    log.warn(`the ${sent.method} answer sent before the server loaded differs from the server's`, {
      sent: JSON.stringify(sent.result).slice(0, 300),
      server: JSON.stringify("error" in own ? own.error : result).slice(0, 300),
    });
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.shutdown(this.closeReason ?? "the server closed the transport");
  }

  private shutdown(reason: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    clearTimeout(this.endTimer);
    this.closeReason = reason;
    this.stdin.off("data", this.onData);
    this.stdin.off("end", this.onEnd);
    this.stdin.off("error", this.onStdinError);
    this.stdout.off("error", this.onStdoutError);
    this.stdin.pause();
    this.reader.clear();
    this.onclose?.();
    return Promise.resolve();
  }

  /** A line read: a JSON-RPC message for the server, or answered with a parse error. */
  private message(line: string, bytes: number): void {
    let message: JSONRPCMessage;
    let parsed: unknown;
    try {
      const refusal = messageRefusal(line);
      if (refusal) return this.refuseValues(line, refusal, bytes);
      parsed = JSON.parse(line);
      message = JSONRPCMessageSchema.parse(parsed);
    } catch (err) {
      if (Array.isArray(parsed)) return this.refuseBatch(parsed, bytes);
      // JSON, but not a valid message: a request is answered with its own id, so its client does not wait for it.
      const answer =
        parsed === undefined
          ? { jsonrpc: "2.0" as const, id: null, error: { code: -32700, message: "Parse error: the line is not JSON" } }
          : invalidMessage(parsed);
      log.warn("stdio: a line that is not a JSON-RPC message was ignored", {
        bytes,
        error: parsed === undefined ? String(err).slice(0, 200) : answer.error.message,
      });
      if (parsed !== undefined && requestIdOf(parsed) === undefined && isNotification(line)) return;
      return void this.send(answer as never);
    }
    if ("method" in message && "id" in message) {
      const id = JSON.stringify(message.id);
      this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
      if (message.method === "initialize") this.initializeId = id;
    } else if ("method" in message && message.method === "notifications/cancelled") {
      const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (requestId !== undefined) this.answered(JSON.stringify(requestId));
    }
    this.onmessage?.(message);
  }

  /** A JSON array: each request in it is answered with an error (the SDK's stdio reads no batches either). */
  private refuseBatch(items: unknown[], bytes: number): void {
    const answers = batchNotRun(items, BATCH);
    log.warn("stdio: a JSON-RPC batch was refused", { bytes, messages: items.length });
    for (const answer of answers) void this.send(answer as never);
  }

  /** Answers a message over the value or depth limit with its error, unless it is a notification (nothing answers one). */
  private refuseValues(line: string, refusal: MessageRefusal, bytes: number): void {
    log.warn(`stdio: a message over the ${refusal.error.data.what} limit was refused`, { bytes, limit: refusal.error.data.limit });
    if (refusal.id !== null || !isNotification(line)) void this.send({ jsonrpc: "2.0", ...refusal } as never);
  }

  /** Answers an over-limit message with an error (to its id, when one can be found at either end). */
  private refuse(bytes: number, head: string, tail: string): void {
    const id = requestId(head, tail);
    const isRequest = id !== undefined || !isNotification(head);
    log.warn("stdio: a message over the size limit was refused", { bytes, limit: this.maxMessageBytes });
    if (!isRequest) return;
    void this.send({
      jsonrpc: "2.0",
      id: id ?? null,
      error: {
        code: -32600,
        message: `Error: the message is ${bytes} bytes, over the stdio limit of ${this.maxMessageBytes} bytes (AIGC_MCP_STDIO_MAX_MESSAGE_BYTES). ${LARGE_MEDIA}`,
        data: { limit: this.maxMessageBytes, bytes, variable: "AIGC_MCP_STDIO_MAX_MESSAGE_BYTES" },
      },
    } as never);
  }
}

/** Whether a message whose id could not be read is a notification (nothing answers one), from its first characters. */
const BATCH =
  "a JSON-RPC batch (an array of messages): send each message as a line of its own (MCP has had no batches since protocol version 2025-06-18)";

const isNotification = (head: string) => /"method"\s*:\s*"notifications\//.test(head.slice(0, EDGE));

/** The initialize result as the stored tool list keeps it: without the version the client asked for. */
function handshakeOf(result: unknown): StoredHandshake | undefined {
  if (result === null || typeof result !== "object") return undefined;
  const { protocolVersion: _, ...rest } = result as Record<string, unknown>;
  return { supported: [...SUPPORTED_PROTOCOL_VERSIONS], latest: LATEST_PROTOCOL_VERSION, result: rest };
}

/** Serves `app` over stdin/stdout until stdin ends; `storedList`: what to list first (src/stored-tool-list.ts). */
export async function serveStdio(app: AppContext, storedList?: Promise<StoredToolList | undefined>): Promise<void> {
  const server = createMcpServer(app);
  const transport = new LineStdioTransport(app.config.stdioMaxMessageBytes, process.stdin, process.stdout, takeEarlyAnswers());
  if (storedList) useStoredToolList(app, storedList, () => transport.handshake);
  let exiting = false;
  const exit = (reason: string, code: number, signal = false) => {
    if (exiting && signal) process.exit(code); // a signal while held jobs finish: now, as over HTTP
    if (exiting) return;
    exiting = true;
    log.info(`aigc-mcp exiting: ${reason}`);
    // after the turn: what the last answer queued (compile cache, tool list) is written first, so a client that closes stdin at once gets it
    const close = () => app.jobs.finishHeld(HELD_GRACE_MS).then(() => app.close());
    setImmediate(() => void close().finally(() => process.exit(code)));
  };
  transport.onclose = () => exit(transport.closeReason ?? "the transport closed", 0);
  transport.onerror = (err) => log.warn("stdio transport error", { error: err.message });
  process.on("SIGINT", () => exit("SIGINT", 130, true));
  process.on("SIGTERM", () => exit("SIGTERM", 143, true));
  process.on("uncaughtException", (err) => {
    log.error(`aigc-mcp exiting: uncaught ${err.stack ?? String(err)}`);
    process.exit(1);
  });
  // Said as the transport starts: an end of stdin the early answers saw is handled there, and its exit line comes after this one.
  transport.onready = () =>
    log.info("aigc-mcp ready on stdio", {
      vendors: app.vendors.map((v) => v.id),
      output: app.config.outputDir,
      max_message_bytes: app.config.stdioMaxMessageBytes,
    });
  await server.connect(transport);
}
