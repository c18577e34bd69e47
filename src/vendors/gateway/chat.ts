/**
 * Chat completions: request body, the SSE stream reader (OpenAI chunks, `data: [DONE]`), and the
 * structured-output check. The answer is always streamed from the gateway so progress can be
 * reported while tokens arrive and a cancellation stops the generation at once.
 */
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createParser } from "eventsource-parser";
import { AigcError, inputError } from "../../errors.js";
import { cancelled, discard, readCapped, safeUrl } from "../../net/http.js";
import { isWebPage, pageInsteadOfApi } from "../../net/web-page.js";
import type { GatewayClient } from "./client.js";
import { GATEWAY_PATHS } from "./config.js";
import { GATEWAY } from "./errors.js";
import { malformedResponse } from "../kit/errors.js";
import { clip } from "../../log.js";

export const CHAT_ROLES = ["system", "user", "assistant"] as const;
export const MAX_ANSWER_CHARS = 4 * 1024 * 1024;

export interface ChatMessage {
  role: (typeof CHAT_ROLES)[number];
  content: string;
}

export type ResponseFormat = "text" | "json_object" | { schema: Record<string, unknown>; name?: string; strict?: boolean };

export interface ChatRequest {
  model: string;
  messages?: ChatMessage[];
  prompt?: string;
  system?: string;
  temperature?: number;
  max_tokens?: number;
  response_format?: ResponseFormat;
  enable_thinking?: boolean;
}

export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export interface ChatAnswer {
  model: string;
  text: string;
  reasoning?: string;
  finish_reason?: string;
  usage?: ChatUsage;
  request_id?: string;
}

/** The messages sent: `messages` as given, or `system` + `prompt`; a system note asks for JSON when a JSON format is wanted. */
export function chatMessages(req: ChatRequest): ChatMessage[] {
  if (req.messages && req.prompt !== undefined)
    throw inputError("prompt", "pass either messages or prompt (with an optional system), not both");
  const base: ChatMessage[] = req.messages ? [...req.messages] : req.prompt !== undefined ? [{ role: "user", content: req.prompt }] : [];
  if (!base.length) throw inputError("messages", "pass messages (a list of {role, content}) or a prompt");
  if (!base.some((m) => m.role === "user")) throw inputError("messages", "needs at least one message with role user");
  if (req.system !== undefined) base.unshift({ role: "system", content: req.system });
  const note = jsonNote(req.response_format);
  if (note) {
    const i = base.findIndex((m) => m.role === "system");
    if (i >= 0) base[i] = { role: "system", content: `${base[i]!.content}\n\n${note}` };
    else base.unshift({ role: "system", content: note });
  }
  return base;
}

// Many gateway backends honour response_format only when the prompt mentions JSON, and some ignore
// json_schema entirely; the note keeps both kinds on track. The answer is validated either way.
function jsonNote(fmt: ResponseFormat | undefined): string | undefined {
  if (!fmt || fmt === "text") return undefined;
  if (fmt === "json_object") return "Answer with a single JSON object and nothing else.";
  return `Answer with JSON only, matching this JSON Schema:\n${JSON.stringify(fmt.schema)}`;
}

export function chatBody(req: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: req.model,
    messages: chatMessages(req),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.max_tokens !== undefined) body.max_tokens = req.max_tokens;
  const fmt = req.response_format;
  if (fmt === "json_object") body.response_format = { type: "json_object" };
  else if (fmt && fmt !== "text")
    body.response_format = {
      type: "json_schema",
      json_schema: { name: fmt.name ?? "answer", schema: fmt.schema, ...(fmt.strict !== undefined ? { strict: fmt.strict } : {}) },
    };
  if (req.enable_thinking !== undefined) {
    // DashScope-compatible backends read the top-level flag, vLLM/SGLang ones the template kwargs.
    body.enable_thinking = req.enable_thinking;
    body.chat_template_kwargs = { enable_thinking: req.enable_thinking };
  }
  return body;
}

type Chunk = {
  model?: string;
  choices?: Array<{
    delta?: { content?: unknown; reasoning_content?: unknown; reasoning?: unknown };
    message?: { content?: unknown; reasoning_content?: unknown };
    finish_reason?: unknown;
  }>;
  usage?: ChatUsage | null;
  error?: unknown;
};

class AnswerBuilder {
  text = "";
  reasoning = "";
  finish?: string;
  usage?: ChatUsage;
  model?: string;

  add(c: Chunk, requestId: string | undefined): void {
    if (c.error) {
      const e = c.error as { message?: unknown; code?: unknown };
      throw new AigcError({
        category: "vendor",
        code: typeof e.code === "string" || typeof e.code === "number" ? String(e.code) : "StreamError",
        vendor: GATEWAY,
        requestId,
        message: `the model failed mid-answer: ${typeof e.message === "string" ? e.message : clip(JSON.stringify(c.error), 300)}`,
      });
    }
    if (typeof c.model === "string") this.model = c.model;
    if (c.usage) this.usage = c.usage;
    const choice = c.choices?.[0];
    if (!choice) return;
    const part = choice.delta ?? choice.message;
    if (part && typeof part.content === "string") this.text += part.content;
    const r = part?.reasoning_content ?? (part as { reasoning?: unknown } | undefined)?.reasoning;
    if (typeof r === "string") this.reasoning += r;
    if (typeof choice.finish_reason === "string") this.finish = choice.finish_reason;
    if (this.text.length + this.reasoning.length > MAX_ANSWER_CHARS) {
      throw new AigcError({
        category: "too_large",
        code: "AnswerTooLarge",
        vendor: GATEWAY,
        requestId,
        message: `the answer passed ${MAX_ANSWER_CHARS} characters and was stopped`,
        hint: "Set max_tokens.",
      });
    }
  }

  done(fallbackModel: string, requestId: string | undefined): ChatAnswer {
    return {
      model: this.model ?? fallbackModel,
      text: this.text,
      ...(this.reasoning ? { reasoning: this.reasoning } : {}),
      ...(this.finish ? { finish_reason: this.finish } : {}),
      ...(this.usage ? { usage: this.usage } : {}),
      ...(requestId ? { request_id: requestId } : {}),
    };
  }
}

/**
 * Reads an SSE body event by event (framing by eventsource-parser); `onDelta` runs after each
 * chunk with the answer so far. A last event the server did not close with a blank line still counts.
 */
export async function readChatStream(
  body: Readable,
  opts: { model: string; requestId?: string; onDelta?: (text: string, reasoning: string) => void; signal?: AbortSignal },
): Promise<ChatAnswer> {
  const answer = new AnswerBuilder();
  const decoder = new StringDecoder("utf8");
  const malformed = (message: string) => malformedResponse(GATEWAY, message, { code: "MalformedStream", requestId: opts.requestId });
  let finished = false;
  const parser = createParser({
    maxBufferSize: MAX_ANSWER_CHARS,
    onEvent({ data }) {
      if (finished || !data) return;
      if (data.trim() === "[DONE]") {
        finished = true;
        return;
      }
      let chunk: Chunk;
      try {
        chunk = JSON.parse(data) as Chunk;
      } catch {
        throw malformed(`the answer stream held an event that is not JSON: "${clip(data, 120)}"`);
      }
      answer.add(chunk, opts.requestId);
      opts.onDelta?.(answer.text, answer.reasoning);
    },
    onError(err) {
      // Unknown fields and bad retry values are ignored, as browsers do; an endless event is not.
      if (err.type === "max-buffer-size-exceeded") throw malformed("the answer stream sent a huge event with no separator");
    },
  });
  try {
    for await (const raw of body) {
      parser.feed(decoder.write(raw as Buffer));
      if (finished) break;
    }
  } catch (err) {
    if (err instanceof AigcError) throw err;
    if (opts.signal?.aborted) throw cancelled(GATEWAY, opts.signal, true);
    throw new AigcError(
      {
        category: "network",
        code: "StreamBroken",
        vendor: GATEWAY,
        requestId: opts.requestId,
        message: `the answer stream broke off: ${(err as Error).message}`,
      },
      { cause: err },
    );
  } finally {
    discard(body);
  }
  if (!finished) parser.feed(`${decoder.end()}\n\n`);
  if (!finished && !answer.finish) {
    throw new AigcError({
      category: "network",
      code: "StreamIncomplete",
      vendor: GATEWAY,
      requestId: opts.requestId,
      message: "the answer stream ended before the model finished (no finish_reason and no [DONE])",
      hint: "Call again; the connection to the gateway was cut.",
    });
  }
  return answer.done(opts.model, opts.requestId);
}

/** Sends the chat request and returns the complete answer; streams when the backend does. */
export async function runChat(
  client: GatewayClient,
  req: ChatRequest,
  opts: { signal?: AbortSignal; modelVar?: string; onDelta?: (text: string, reasoning: string) => void },
): Promise<ChatAnswer> {
  const body = chatBody(req);
  const res = await client.open(GATEWAY_PATHS.chat, body, "text/event-stream, application/json", {
    signal: opts.signal,
    modelVar: opts.modelVar,
  });
  if (res.mime === "application/json") {
    // A backend that ignores `stream` answers with one completion object.
    const raw = await readCapped(res.body, MAX_ANSWER_CHARS * 2, GATEWAY, client.url(GATEWAY_PATHS.chat));
    let parsed: Chunk;
    try {
      parsed = JSON.parse(raw.toString("utf8")) as Chunk;
    } catch {
      throw malformedResponse(GATEWAY, "the chat answer is labelled JSON but does not parse", {
        code: "NotJson",
        requestId: res.requestId,
      });
    }
    const answer = new AnswerBuilder();
    answer.add(parsed, res.requestId);
    return answer.done(req.model, res.requestId);
  }
  let stream: Readable = res.body;
  if (isWebPage(res.headers)) {
    // A web page in place of the stream (a wrong AI_GATEWAY_BASE_URL, a portal); an event stream mislabelled is read as one.
    const body = await readCapped(res.body, MAX_ANSWER_CHARS * 2, GATEWAY, client.url(GATEWAY_PATHS.chat));
    const page = pageInsteadOfApi(GATEWAY, "AI_GATEWAY_BASE_URL", safeUrl(client.url(GATEWAY_PATHS.chat)), { ...res, body });
    if (page) throw page;
    stream = Readable.from([body]);
  }
  return readChatStream(stream, { model: req.model, requestId: res.requestId, signal: opts.signal, onDelta: opts.onDelta });
}

/** Parses a JSON answer, tolerating a ```json fence around it. */
export function parseJsonAnswer(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  try {
    return { ok: true, value: JSON.parse(fenced ? fenced[1]! : trimmed) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
