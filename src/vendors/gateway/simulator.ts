/**
 * Alibaba Cloud AI Gateway simulator: one OpenAI-compatible gateway under `/v1` with Higress-style
 * consumer auth in front of simulated models.
 * - Auth (plain-text refusals, as the gateway sends them): API key as `Authorization: Bearer` or in
 *   a custom header; JWT (HS256 JWKS `oct` key, `uid` claim, 60 s clock skew; configured header and
 *   prefix, or `?access_token=`). Paths outside `/v1` match no route: plain `404 no route`, no auth.
 * - `POST chat/completions` (JSON, or SSE chunks ending in `data: [DONE]`, usage when asked),
 *   `completions`, `embeddings` (deterministic unit vectors, `model` included), `rerank`
 *   (word-overlap scores), `audio/transcriptions` (multipart), `audio/speech` (real WAV, MP3 or Ogg
 *   Opus carrying the spoken text, which transcription reads back), `GET models` (the OpenAI list
 *   `{object: "list", data: [{id, object: "model", created, owned_by}]}` of every model it serves).
 * - Models: its own fixed set per family (unknown ones get OpenAI's 404 `model_not_found`);
 *   `extraModels` adds more, served and listed, as a gateway whose Model APIs gained models.
 * Trigger words in a prompt or input: `[429]` (the rate limiter's `Too many requests`),
 * `[blocked]` (content inspection 400), `[slow]` (10x slower streaming), `[bad-json]` (a JSON answer
 * that breaks the requested schema), `[fail]` (speech synthesis fails with 500).
 *
 * One file on purpose, over 300 lines: it is the vendor's whole documented contract, read side by
 * side with the vendor's docs, and kept apart from the adapter so the two cannot share a mistake.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { JWTPayload } from "jose";
import { JWTExpired } from "jose/errors";
import { jwtVerify } from "jose/jwt/verify";
import { sniffBytes } from "../../media/sniff.js";
import { header, VendorSimulator, type SimReply, type SimRequest } from "../../sandbox/sim-server.js";
import type { SimulatedVendor, SimulatorOptions } from "../../sandbox/simulated-vendor.js";
import { readSpokenText, speak, SPOKEN_MIME, type SpokenFormat } from "./simulator-audio.js";
import { VENDOR_ID } from "./config.js";

export { readSpokenText } from "./simulator-audio.js";

export const GATEWAY_SIM_MODELS = {
  chat: ["qwen-plus", "qwen3-8b", "qwen-turbo"],
  embed: ["text-embedding-v4", "text-embedding-v3"],
  rerank: ["gte-rerank-v2"],
  stt: ["paraformer-v2", "whisper-1"],
  tts: ["cosyvoice-v2", "tts-1"],
};
export type GatewaySimFamily = keyof typeof GATEWAY_SIM_MODELS;
export const GATEWAY_SIM_VOICES = ["longxiaochun", "longwan", "longcheng", "alloy", "nova", "echo"];
const THINKING_MODELS = new Set(["qwen3-8b", "qwen-plus"]);

export interface GatewaySimOptions {
  apiKey?: string;
  /** Where the key is read from: `authorization` (Bearer, default) or a custom header holding the raw key. */
  keyHeader?: string;
  jwtSecret?: Buffer;
  jwtUid?: string;
  jwtHeader?: string;
  jwtPrefix?: string;
  auth?: "key" | "jwt" | "either";
  /** Pause between SSE chunks. */
  chunkDelayMs?: number;
  /** Pause before a speech answer starts; body chunks follow 10 ms apart. */
  speechDelayMs?: number;
  embedDims?: number;
  /** Models the gateway's Model APIs serve beyond the built-in ones (served and listed), by family. */
  extraModels?: Partial<Record<GatewaySimFamily, string[]>>;
}

const KEY_REALM = { "www-authenticate": "Key realm=MSE Gateway", "content-type": "text/plain; charset=utf-8" };
const JWT_REALM = { "www-authenticate": 'Bearer realm="MSE Gateway"', "content-type": "text/plain; charset=utf-8" };
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;
const plain = (
  status: number,
  body: string,
  headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8" },
): SimReply => ({ status, headers, body });

function oaiError(status: number, message: string, code: string, param?: string, type = "invalid_request_error"): SimReply {
  return { status, body: { error: { message, type, param: param ?? null, code } } };
}

export class GatewaySimulator extends VendorSimulator {
  readonly apiKey: string;
  readonly jwtSecret: Buffer;
  readonly jwtUid: string;
  /** The models each family serves, extra models included. */
  readonly models: Record<GatewaySimFamily, string[]>;
  private readonly opts: Required<GatewaySimOptions>;

  constructor(opts: GatewaySimOptions = {}) {
    super(VENDOR_ID);
    this.opts = {
      apiKey: "gw-sandbox-key-000000000000000000000000",
      keyHeader: "authorization",
      jwtSecret: Buffer.from("aigc-mcp-gateway-sandbox-secret!"),
      jwtUid: "sandbox-consumer-uid",
      jwtHeader: "authorization",
      jwtPrefix: "Bearer",
      auth: "either",
      chunkDelayMs: 40,
      speechDelayMs: 300,
      embedDims: 1024,
      extraModels: {},
      ...opts,
    };
    this.models = Object.fromEntries(
      Object.entries(GATEWAY_SIM_MODELS).map(([family, ids]) => [
        family,
        [...ids, ...(this.opts.extraModels[family as GatewaySimFamily] ?? [])],
      ]),
    ) as Record<GatewaySimFamily, string[]>;
    this.apiKey = this.opts.apiKey;
    this.jwtSecret = this.opts.jwtSecret;
    this.jwtUid = this.opts.jwtUid;
  }

  /** The consumer's JWKS as the gateway console shows it. */
  get jwks(): string {
    return JSON.stringify({ keys: [{ kty: "oct", kid: "sandbox", alg: "HS256", k: this.jwtSecret.toString("base64url") }] });
  }
  get baseUrl(): string {
    return `${this.sim.url}/v1`;
  }

  protected async handle(req: SimRequest): Promise<SimReply> {
    const reply = await this.route(req);
    reply.headers = { "x-request-id": "gw-" + randomBytes(8).toString("hex"), ...(reply.headers ?? {}) };
    return reply;
  }

  private async route(req: SimRequest): Promise<SimReply> {
    if (req.path !== "/v1" && !req.path.startsWith("/v1/")) return plain(404, "no route"); // no route, so no auth plugin either
    const denied = await this.authenticate(req);
    if (denied) return denied;
    if (req.body.includes("[429]")) return plain(429, "Too many requests");
    const path = req.path.replace(/\/+$/, "");
    if (req.method === "GET" && path === "/v1/models") return this.modelList();
    if (req.method !== "POST") return plain(404, "no route");
    switch (path) {
      case "/v1/chat/completions":
        return this.chat(req);
      case "/v1/completions":
        return this.completion(req);
      case "/v1/embeddings":
        return this.embeddings(req);
      case "/v1/rerank":
        return this.rerank(req);
      case "/v1/audio/transcriptions":
        return this.transcription(req);
      case "/v1/audio/speech":
        return this.speech(req);
      default:
        return plain(404, "no route");
    }
  }

  // ---------- auth (Higress key-auth / jwt-auth behaviour) ----------
  private async authenticate(req: SimRequest): Promise<SimReply | undefined> {
    const { auth, keyHeader } = this.opts;
    const keys = auth !== "jwt";
    const jwts = auth !== "key";
    const token = jwts ? this.jwtFrom(req) : undefined;
    if (token && JWT_SHAPE.test(token)) return this.checkJwt(token);
    if (keys) {
      const raw = header(req, keyHeader);
      const key = keyHeader === "authorization" ? raw?.replace(/^Bearer\s+/i, "") : raw;
      if (!key) return plain(401, "Request denied by Key Auth check. No Key Authentication information found.", KEY_REALM);
      if (!sameSecret(key, this.apiKey)) return plain(403, "Request denied by Key Auth check. Unauthorized consumer.", KEY_REALM);
      return undefined;
    }
    if (token) return plain(401, "Request denied by JWT Auth check. JWT verification fails", JWT_REALM);
    return plain(401, "Request denied by JWT Auth check. JWT is missing.", JWT_REALM);
  }

  /** The token from the configured header (after its prefix), else Higress's `access_token` query parameter. */
  private jwtFrom(req: SimRequest): string | undefined {
    const { jwtHeader, jwtPrefix } = this.opts;
    const raw = header(req, jwtHeader);
    if (raw) return jwtPrefix ? (raw.startsWith(`${jwtPrefix} `) ? raw.slice(jwtPrefix.length + 1).trim() : undefined) : raw.trim();
    return req.query.get("access_token") ?? undefined;
  }

  private async checkJwt(token: string): Promise<SimReply | undefined> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwtSecret, {
        algorithms: ["HS256"],
        currentDate: new Date(this.sim.now()),
        clockTolerance: 60,
      }));
    } catch (err) {
      if (err instanceof JWTExpired) return plain(401, "Request denied by JWT Auth check. JWT is expired.", JWT_REALM);
      return plain(401, "Request denied by JWT Auth check. JWT verification fails", JWT_REALM);
    }
    if (payload.uid !== this.jwtUid) return plain(403, "Request denied by JWT Auth check. Unauthorized consumer.", JWT_REALM);
    return undefined;
  }

  private modelList(): SimReply {
    const ids = Object.values(this.models).flat();
    return {
      status: 200,
      body: { object: "list", data: ids.map((id) => ({ id, object: "model", created: 1735689600, owned_by: "sandbox" })) },
    };
  }

  /** The model argument, if this gateway serves it for `family`; else the OpenAI-style refusal. */
  private knownModel(model: unknown, family: GatewaySimFamily): SimReply | string {
    if (typeof model !== "string" || !model)
      return oaiError(400, "you must provide a model parameter", "missing_required_parameter", "model");
    if (!this.models[family].includes(model))
      return oaiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, "model_not_found", "model");
    return model;
  }

  /** A JSON request's body and its (known) model, or the refusal for a bad body or model. */
  private modelRequest(req: SimRequest, family: GatewaySimFamily): SimReply | { body: Record<string, unknown>; model: string } {
    const b = req.json;
    if (!b || typeof b !== "object" || Array.isArray(b))
      return oaiError(400, "We could not parse the JSON body of your request.", "invalid_json");
    const body = b as Record<string, unknown>;
    const model = this.knownModel(body.model, family);
    return typeof model === "string" ? { body, model } : model;
  }

  // ---------- chat ----------
  private chat(req: SimRequest): SimReply {
    const r = this.modelRequest(req, "chat");
    if ("status" in r) return r;
    const { body, model } = r;
    const messages = body.messages;
    if (!Array.isArray(messages) || !messages.length)
      return oaiError(400, "messages must be a non-empty array", "invalid_value", "messages");
    const texts: string[] = [];
    for (const [i, m] of messages.entries()) {
      if (!m || typeof m !== "object") return oaiError(400, `'messages[${i}]' must be an object`, "invalid_type", `messages[${i}]`);
      const role = (m as { role?: unknown }).role;
      if (!["system", "user", "assistant", "tool", "developer"].includes(String(role)))
        return oaiError(400, `Invalid value for 'messages[${i}].role'`, "invalid_value", `messages[${i}].role`);
      const content = (m as { content?: unknown }).content;
      const text =
        typeof content === "string"
          ? content
          : Array.isArray(content)
            ? content.map((p) => (p as { text?: string }).text ?? "").join(" ")
            : undefined;
      if (text === undefined)
        return oaiError(400, `'messages[${i}].content' must be a string or an array of parts`, "invalid_type", `messages[${i}].content`);
      if (role === "user") texts.push(text);
    }
    const badParam = this.checkChatParams(body);
    if (badParam) return badParam;
    const last = texts.at(-1) ?? "";
    if (texts.some((x) => x.includes("[blocked]")))
      return oaiError(400, "Input data may contain inappropriate content.", "data_inspection_failed", undefined, "data_inspection_failed");
    const thinking =
      THINKING_MODELS.has(model) &&
      (body.enable_thinking === true || (body.chat_template_kwargs as { enable_thinking?: unknown } | undefined)?.enable_thinking === true);
    let content = this.answer(model, last, body.response_format);
    let finish = "stop";
    const maxTokens = body.max_tokens;
    const words = content.split(/(?<=\s)/); // words with their trailing space, one "token" each
    if (typeof maxTokens === "number" && maxTokens < words.length) {
      content = words.slice(0, maxTokens).join("");
      finish = "length";
    }
    const reasoning = thinking
      ? `Let me think about "${last.slice(0, 60)}". The user wants a clear answer, so I will keep it short.`
      : undefined;
    const usage = {
      prompt_tokens: countTokens(messages.map((m) => JSON.stringify(m)).join(" ")),
      // A backend never reports more output than max_tokens allowed.
      completion_tokens:
        Math.min(countTokens(content), typeof maxTokens === "number" ? maxTokens : Infinity) + countTokens(reasoning ?? ""),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = "chatcmpl-" + randomBytes(10).toString("hex");
    const created = Math.floor(this.sim.now() / 1000);
    if (body.stream !== true) {
      return {
        status: 200,
        body: {
          id,
          object: "chat.completion",
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content, ...(reasoning ? { reasoning_content: reasoning } : {}) },
              finish_reason: finish,
            },
          ],
          usage,
        },
      };
    }
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const delay = this.opts.chunkDelayMs * (last.includes("[slow]") ? 10 : 1);
    return {
      status: 200,
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
      stream: this.sse(req, { id, created, model, content, reasoning, finish, usage: includeUsage ? usage : undefined }, delay),
    };
  }

  /** temperature, max_tokens and response_format, checked as OpenAI-compatible backends do. */
  private checkChatParams(body: Record<string, unknown>): SimReply | undefined {
    const t = body.temperature;
    if (t !== undefined && (typeof t !== "number" || t < 0 || t > 2))
      return oaiError(400, "temperature must be a number from 0 to 2", "invalid_value", "temperature");
    const max = body.max_tokens;
    if (max !== undefined && (typeof max !== "number" || !Number.isInteger(max) || max < 1))
      return oaiError(400, "max_tokens must be a positive integer", "invalid_value", "max_tokens");
    const f = body.response_format;
    if (f === undefined) return undefined;
    const type = typeof f === "object" && f !== null ? (f as { type?: unknown }).type : undefined;
    if (type !== "text" && type !== "json_object" && type !== "json_schema")
      return oaiError(400, "response_format.type must be one of text, json_object, json_schema", "invalid_value", "response_format.type");
    if (type !== "json_schema") return undefined;
    const js = (f as { json_schema?: { name?: unknown; schema?: unknown } }).json_schema;
    if (!js || typeof js.name !== "string" || !js.name)
      return oaiError(
        400,
        "response_format.json_schema.name is required",
        "missing_required_parameter",
        "response_format.json_schema.name",
      );
    if (js.schema !== undefined && (typeof js.schema !== "object" || js.schema === null || Array.isArray(js.schema)))
      return oaiError(400, "response_format.json_schema.schema must be an object", "invalid_type", "response_format.json_schema.schema");
    return undefined;
  }

  private async *sse(
    req: SimRequest,
    a: { id: string; created: number; model: string; content: string; reasoning?: string; finish: string; usage?: object },
    delayMs: number,
  ): AsyncGenerator<Buffer> {
    const chunk = (delta: object, finish: string | null = null) => ({
      id: a.id,
      object: "chat.completion.chunk",
      created: a.created,
      model: a.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const event = (o: unknown) => Buffer.from(`data: ${JSON.stringify(o)}\n\n`);
    const pause = () => new Promise((r) => setTimeout(r, delayMs));
    yield event(chunk({ role: "assistant", content: "" }));
    for (const piece of pieces(a.reasoning ?? "")) {
      await pause();
      if (req.aborted) return; // the client went away: stop generating
      yield event(chunk({ reasoning_content: piece }));
    }
    for (const piece of pieces(a.content)) {
      await pause();
      if (req.aborted) return;
      yield event(chunk({ content: piece }));
    }
    yield event(chunk({}, a.finish));
    if (a.usage)
      yield event({ id: a.id, object: "chat.completion.chunk", created: a.created, model: a.model, choices: [], usage: a.usage });
    yield Buffer.from("data: [DONE]\n\n");
  }

  private answer(model: string, last: string, format: unknown): string {
    const f = format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
    const said = last.replace(/\s+/g, " ").trim().slice(0, 120);
    if (f?.type === "json_schema") {
      if (last.includes("[bad-json]")) return JSON.stringify({ unexpected: true });
      return JSON.stringify(exampleFor(f.json_schema?.schema, said));
    }
    if (f?.type === "json_object") return JSON.stringify({ answer: `Sandbox answer to "${said}"`, model });
    return `Sandbox answer from ${model}: you said "${said}". This reply is generated by the local simulator, word by word, so that streaming can be watched.`;
  }

  private completion(req: SimRequest): SimReply {
    const r = this.modelRequest(req, "chat");
    if ("status" in r) return r;
    const { body, model } = r;
    if (typeof body.prompt !== "string") return oaiError(400, "prompt must be a string", "invalid_type", "prompt");
    const text = ` Sandbox completion of "${body.prompt.slice(0, 80)}".`;
    return {
      status: 200,
      body: {
        id: "cmpl-" + randomBytes(8).toString("hex"),
        object: "text_completion",
        model,
        choices: [{ text, index: 0, finish_reason: "stop" }],
        usage: {
          prompt_tokens: countTokens(body.prompt),
          completion_tokens: countTokens(text),
          total_tokens: countTokens(body.prompt) + countTokens(text),
        },
      },
    };
  }

  // ---------- embeddings and rerank ----------
  private embeddings(req: SimRequest): SimReply {
    const r = this.modelRequest(req, "embed");
    if ("status" in r) return r;
    const { body, model } = r;
    const input = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(input) || !input.length || input.some((s) => typeof s !== "string" || !s))
      return oaiError(400, "input must be a non-empty string or a non-empty array of non-empty strings", "invalid_value", "input");
    if (input.length > 512) return oaiError(400, "input may hold at most 512 texts", "invalid_value", "input");
    const dims = body.dimensions ?? this.opts.embedDims;
    if (typeof dims !== "number" || !Number.isInteger(dims) || dims < 64 || dims > 2048)
      return oaiError(400, "dimensions must be an integer from 64 to 2048", "invalid_value", "dimensions");
    const b64 = body.encoding_format === "base64";
    const data = (input as string[]).map((text, index) => {
      const v = unitVector(text, dims);
      return { object: "embedding", index, embedding: b64 ? Buffer.from(new Float32Array(v).buffer).toString("base64") : v };
    });
    const tokens = (input as string[]).reduce((n, s) => n + countTokens(s), 0);
    return { status: 200, body: { object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
  }

  private rerank(req: SimRequest): SimReply {
    const r = this.modelRequest(req, "rerank");
    if ("status" in r) return r;
    const { body, model } = r;
    if (typeof body.query !== "string" || !body.query) return oaiError(400, "query must be a non-empty string", "invalid_value", "query");
    const docs = Array.isArray(body.documents)
      ? body.documents.map((d) => (typeof d === "string" ? d : (d as { text?: unknown })?.text))
      : [];
    if (!docs.length || docs.some((d) => typeof d !== "string"))
      return oaiError(400, "documents must be a non-empty array of strings", "invalid_value", "documents");
    const q = new Set(words(body.query));
    const scored = (docs as string[]).map((text, index) => {
      const d = new Set(words(text));
      const shared = [...q].filter((w) => d.has(w)).length;
      const score = (shared + 0.05) / (q.size + d.size - shared + 0.1);
      return {
        index,
        relevance_score: Math.round(Math.min(0.999, Math.max(0.0001, score)) * 1e4) / 1e4,
        ...(body.return_documents ? { document: { text } } : {}),
      };
    });
    scored.sort((a, b) => b.relevance_score - a.relevance_score);
    const topN = body.top_n ?? scored.length;
    if (typeof topN !== "number" || !Number.isInteger(topN) || topN < 1)
      return oaiError(400, "top_n must be a positive integer", "invalid_value", "top_n");
    return {
      status: 200,
      body: {
        id: "rerank-" + randomBytes(8).toString("hex"),
        model,
        results: scored.slice(0, topN),
        usage: { total_tokens: countTokens(body.query) + (docs as string[]).reduce((n, s) => n + countTokens(s), 0) },
      },
    };
  }

  // ---------- audio ----------
  private async transcription(req: SimRequest): Promise<SimReply> {
    const type = header(req, "content-type") ?? "";
    if (!type.startsWith("multipart/form-data")) return oaiError(400, "Content-Type must be multipart/form-data", "invalid_request");
    let form: FormData;
    try {
      form = await new Response(req.body, { headers: { "content-type": type } }).formData();
    } catch {
      return oaiError(400, "the multipart body could not be parsed", "invalid_request");
    }
    const model = this.knownModel(form.get("model"), "stt");
    if (typeof model !== "string") return model;
    const file = form.get("file");
    if (!file || typeof file === "string") return oaiError(400, "you must provide a file", "missing_required_parameter", "file");
    const audio = Buffer.from(await file.arrayBuffer());
    const kind = await sniffBytes(audio.subarray(0, 64 * 1024));
    if (!kind || (kind.kind !== "audio" && kind.kind !== "video"))
      return oaiError(
        400,
        "Invalid file format. Supported formats: flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm",
        "invalid_file_format",
        "file",
      );
    const text = readSpokenText(audio) ?? `Sandbox transcript: ${audio.length} bytes of ${kind.mime} audio, no words recognised.`;
    const format = form.get("response_format") ?? "json";
    if (format === "text") return plain(200, text);
    const language = typeof form.get("language") === "string" ? (form.get("language") as string) : "en";
    if (format === "verbose_json")
      return {
        status: 200,
        body: { task: "transcribe", language, duration: Math.round((audio.length / 16000) * 100) / 100, text, segments: [] },
      };
    return { status: 200, body: { text } };
  }

  private speech(req: SimRequest): SimReply {
    const r = this.modelRequest(req, "tts");
    if ("status" in r) return r;
    const { body } = r;
    const input = body.input;
    if (typeof input !== "string" || !input.trim() || input.length > 4096)
      return oaiError(400, "input must be a string of 1 to 4096 characters", "invalid_value", "input");
    if (typeof body.voice !== "string" || !GATEWAY_SIM_VOICES.includes(body.voice))
      return oaiError(400, `voice must be one of ${GATEWAY_SIM_VOICES.join(", ")}`, "invalid_value", "voice");
    const format = (body.response_format ?? "mp3") as string;
    if (!(format in SPOKEN_MIME))
      return oaiError(
        400,
        `response_format ${format} is not supported by this model; use mp3, wav or opus`,
        "unsupported_format",
        "response_format",
      );
    const speed = body.speed ?? 1;
    if (typeof speed !== "number" || speed < 0.25 || speed > 4)
      return oaiError(400, "speed must be from 0.25 to 4", "invalid_value", "speed");
    if (input.includes("[fail]"))
      return { status: 500, body: { error: { code: "InternalError", message: "speech synthesis failed", type: "server_error" } } };
    const audio = speak(input, format as SpokenFormat, Math.max(0.5, (input.length * 0.06) / speed));
    return { status: 200, headers: { "content-type": SPOKEN_MIME[format as SpokenFormat] }, stream: this.slowly(audio) };
  }

  private async *slowly(audio: Buffer): AsyncGenerator<Buffer> {
    await new Promise((r) => setTimeout(r, this.opts.speechDelayMs));
    for (let i = 0; i < audio.length; i += 8 * 1024) {
      if (i) await new Promise((r) => setTimeout(r, 10));
      yield audio.subarray(i, i + 8 * 1024);
    }
  }
}

/** Constant-time comparison that does not leak the length either (both sides hashed first). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const words = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
// About 1.3 tokens a word, never more than one a character (as a real tokenizer on ordinary text: "a" is 1).
const countTokens = (s: string) => Math.min(Array.from(s).length, Math.max(s ? 1 : 0, Math.ceil(words(s).length * 1.3)));

/** Splits text into small streaming pieces (a word or two, whitespace kept). */
function pieces(text: string): string[] {
  const parts = text.match(/\S+\s*/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += 2) out.push(parts.slice(i, i + 2).join(""));
  return out;
}

/** A deterministic unit vector from a text's hash. */
function unitVector(text: string, dims: number): number[] {
  const v: number[] = [];
  for (let block = 0; v.length < dims; block++) {
    const h = createHash("sha256").update(`${block}:${text}`).digest();
    for (let i = 0; i + 2 <= h.length && v.length < dims; i += 2) v.push(h.readInt16LE(i) / 32768);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/** A value that satisfies a (simple) JSON Schema, filled with short text from the prompt. */
function exampleFor(schema: unknown, said: string, depth = 0): unknown {
  const s = (schema ?? {}) as Record<string, unknown>;
  if (depth > 8) return null;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const anyOf = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length) return exampleFor(anyOf[0], said, depth + 1);
  const type: unknown = Array.isArray(s.type) ? (s.type as unknown[]).find((t) => t !== "null") : s.type;
  switch (type) {
    case "object": {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(props).map(([k, p]) => [k, exampleFor(p, `${k} for ${said.slice(0, 40)}`, depth + 1)]));
    }
    case "array": {
      const n = Math.max(typeof s.minItems === "number" ? s.minItems : 1, 1);
      return Array.from({ length: n }, (_, i) => exampleFor(s.items, `${said.slice(0, 30)} ${i + 1}`, depth + 1));
    }
    case "integer":
      return typeof s.minimum === "number" ? Math.ceil(s.minimum) : 1;
    case "number":
      return typeof s.minimum === "number" ? (typeof s.maximum === "number" ? (s.minimum + s.maximum) / 2 : s.minimum) : 0.5;
    case "boolean":
      return true;
    case "null":
      return null;
    default: {
      const text = said || "sandbox";
      const max = typeof s.maxLength === "number" ? s.maxLength : 80;
      const min = typeof s.minLength === "number" ? s.minLength : 0;
      return text.slice(0, max).padEnd(min, ".");
    }
  }
}

/** Default models the sandbox configures, so every gateway tool runs with no arguments beyond its input. */
export const GATEWAY_SANDBOX_MODELS = {
  AI_GATEWAY_CHAT_MODEL: "qwen-plus",
  AI_GATEWAY_EMBED_MODEL: "text-embedding-v4",
  AI_GATEWAY_RERANK_MODEL: "gte-rerank-v2",
  AI_GATEWAY_STT_MODEL: "paraformer-v2",
  AI_GATEWAY_TTS_MODEL: "cosyvoice-v2",
  AI_GATEWAY_TTS_VOICE: "longxiaochun",
};

const FAST: GatewaySimOptions = { chunkDelayMs: 5, speechDelayMs: 20 };

/** Starts the simulator for `--sandbox` and the tests, with the environment that points the adapter at it. */
export async function simulate({ fast, options }: SimulatorOptions): Promise<SimulatedVendor> {
  const simulator = await new GatewaySimulator({ ...(fast ? FAST : {}), ...(options as GatewaySimOptions | undefined) }).start();
  // Key auth with a default model per capability; the simulator also accepts JWTs (jwks, jwtUid).
  return {
    simulator,
    env: { AI_GATEWAY_BASE_URL: simulator.baseUrl, AI_GATEWAY_API_KEY: simulator.apiKey, ...GATEWAY_SANDBOX_MODELS },
    line: `AI Gateway simulator at ${simulator.baseUrl} (key or JWT auth)`,
  };
}
