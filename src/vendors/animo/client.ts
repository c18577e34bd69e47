/**
 * Animo HTTP client. Two wire contracts, both with `Authorization: Bearer`:
 * - sync (the original plugin's): POST JSON {prompt, duration, style, resolution} to ANIMO_ENDPOINT,
 *   the response body is the MP4 itself. It is the billable request: sent once, never retried, and
 *   the body is handed on unread so the job engine streams it to disk.
 * - async (the animo.video SDK's): POST /v1/video/generation → requestId, GET
 *   /v1/video/generation/status/{id} until COMPLETED with a videoUrl. The body carries `engine`
 *   and `model` only when configured; GET /v1/models (the self-hostable server's) lists them.
 */
import { AigcError } from "../../errors.js";
import type { PollResult } from "../../jobs/types.js";
import { clip } from "../../log.js";
import { discard, httpOpen, httpRequest, readPreview, requestIdOf, RETRY_SAFE, safeUrl, type HttpResponse } from "../../net/http.js";
import { ANIMO_ASYNC_SUBMIT_PATH, ANIMO_MODELS_PATH, type AnimoConfig } from "./config.js";
import { ANIMO, animoError } from "./errors.js";
import { answerWords, malformedResponse, retryRejected } from "../kit/errors.js";

/** One engine of the server's model list (`GET /v1/models`). */
export interface AnimoEngine {
  engine: string;
  /** Whether the server holds an API key for this engine. */
  configured?: boolean;
  /** The model the server uses when a request names none. */
  default?: string;
  models: string[];
  note?: string;
}

export interface AnimoStatus {
  requestId?: string;
  status?: string;
  videoUrl?: string;
  video_url?: string;
  error?: unknown;
  progress?: number;
}

/** The submit was rejected before anything was created: a 429, or a connection that never got through. */
const RETRY_REJECTED = retryRejected();

export class AnimoClient {
  constructor(
    readonly cfg: AnimoConfig,
    private readonly maxMediaBytes: number,
  ) {}

  private headers(json: boolean): Record<string, string> {
    return { authorization: `Bearer ${this.cfg.apiKey}`, ...(json ? { "content-type": "application/json" } : {}) };
  }

  /**
   * Sync mode: sends the generation POST once and returns the MP4 body as an unread stream. Refuses
   * non-2xx answers, a non-video Content-Type and a declared length over the media cap; the engine's
   * MediaStore enforces the cap again while streaming (for chunked bodies) and sniffs the bytes.
   */
  async openVideo(body: Record<string, unknown>, signal?: AbortSignal): Promise<PollResult> {
    const url = this.cfg.endpoint;
    const res = await httpOpen(url, {
      vendor: ANIMO,
      timeoutVariable: "ANIMO_TIMEOUT_S",
      method: "POST",
      headers: { ...this.headers(true), accept: "video/mp4" },
      body: JSON.stringify(body),
      signal,
      timeoutMs: this.cfg.timeoutMs,
    });
    const requestId = requestIdOf(res.headers);
    if (res.status < 200 || res.status >= 300) {
      throw animoError(res.status, res.headers, await readPreview(res.body, 64 * 1024), "sync");
    }
    const contentType = res.headers["content-type"] ?? "";
    const mime = contentType.split(";")[0]!.trim().toLowerCase();
    if (!mime.startsWith("video/")) {
      // More than is shown is read, so that a secret crossing the cut is still found by clip's redaction.
      const preview = (await readPreview(res.body, 1024))
        .replace(/\s+/g, " ")
        .replace(/[^\x20-\x7e]/g, ".")
        .trim();
      throw malformedResponse(
        ANIMO,
        `Animo answered HTTP ${res.status} with Content-Type ${contentType ? `"${contentType}"` : "(none)"} instead of a video${preview ? `; the body starts "${clip(preview, 160)}"` : " and an empty body"}`,
        {
          code: "NotVideo",
          httpStatus: res.status,
          requestId,
          hint: `Check that ANIMO_ENDPOINT (${safeUrl(url)}) is the URL that returns the MP4 itself. If your Animo API answers with JSON and a request id instead, set ANIMO_MODE=async.`,
        },
      );
    }
    const declared = Number(res.headers["content-length"]);
    if (Number.isFinite(declared) && declared > this.maxMediaBytes) {
      discard(res.body);
      throw new AigcError({
        category: "too_large",
        code: "MediaTooLarge",
        vendor: ANIMO,
        requestId,
        // Answered with the video: Animo made it, so it is billed, although it is not kept.
        billed: true,
        message: `Animo answered with a ${declared}-byte video, over the ${this.maxMediaBytes}-byte cap (AIGC_MCP_MAX_MEDIA_BYTES); Animo made it, so it is billed, but it was not saved`,
        hint: "Raise AIGC_MCP_MAX_MEDIA_BYTES, or ask for a smaller output (shorter, lower resolution).",
      });
    }
    if (declared === 0) {
      discard(res.body);
      throw malformedResponse(ANIMO, `Animo answered HTTP ${res.status} with an empty video body`, { code: "EmptyBody", requestId });
    }
    return {
      status: "succeeded",
      outputs: [{ stream: res.body, mime }],
      ...(requestId ? { detail: `Animo request id ${requestId}` } : {}),
    };
  }

  /**
   * Async mode: creates a generation request and returns its id. `fields` are the optional body
   * fields beside the prompt (`animoAsyncFields`: aspect_ratio, and engine/model when configured).
   */
  async submit(prompt: string, fields: Record<string, unknown> = {}, signal?: AbortSignal): Promise<string> {
    const url = this.cfg.endpoint + ANIMO_ASYNC_SUBMIT_PATH;
    const res = await httpRequest(url, {
      vendor: ANIMO,
      baseUrlVariable: "ANIMO_ENDPOINT",
      method: "POST",
      headers: this.headers(true),
      body: JSON.stringify({ prompt, ...fields }),
      signal,
      timeoutMs: Math.min(this.cfg.timeoutMs, 60_000),
      maxBytes: 1024 * 1024,
      retry: RETRY_REJECTED,
    });
    if (res.status < 200 || res.status >= 300) throw animoError(res.status, res.headers, res.text(), "submit");
    const data = res.json() as { requestId?: unknown; request_id?: unknown; id?: unknown } | undefined;
    const id = [data?.requestId, data?.request_id, data?.id].find((v) => typeof v === "string" && v.length > 0) as string | undefined;
    if (!id) {
      throw malformedResponse(
        ANIMO,
        `Animo accepted the generation request but its answer has no requestId (${data === undefined ? "not JSON" : "JSON without an id"})`,
        {
          httpStatus: res.status,
          requestId: res.requestId,
          hint: "ANIMO_MODE=async expects the animo.video API (POST /v1/video/generation answers {requestId}); check ANIMO_ENDPOINT.",
        },
      );
    }
    return id;
  }

  private statusResponse(id: string, signal?: AbortSignal) {
    const url = `${this.cfg.endpoint}${ANIMO_ASYNC_SUBMIT_PATH}/status/${encodeURIComponent(id)}`;
    return httpRequest(url, {
      vendor: ANIMO,
      baseUrlVariable: "ANIMO_ENDPOINT",
      headers: this.headers(false),
      signal,
      timeoutMs: Math.min(this.cfg.timeoutMs, 30_000),
      maxBytes: 8 * 1024 * 1024,
      retry: RETRY_SAFE,
    });
  }

  /**
   * Async mode, for `check`: looks up request `id`, which must not exist (free). Resolves when the
   * server answers 404 with a JSON error, as the API does for an unknown id, or knows the id (a
   * JSON status with a `status` field). Throws AigcError: the server's refusal (401 for the key),
   * `NotVendorApi` for a 2xx web page (net/web-page.ts), or `NotAnimoEndpoint` for another answer
   * no Animo API gives (a 404 web page or empty body, a 2xx that is no request status, such as
   * another API's JSON): ANIMO_ENDPOINT then points at something else.
   */
  async lookUpUnknown(id: string, signal?: AbortSignal): Promise<"unknown" | "known"> {
    const res = await this.statusResponse(id, signal);
    const body = res.json() as { status?: unknown } | undefined;
    if (res.status >= 200 && res.status < 300) {
      if (body && typeof body === "object" && typeof body.status === "string") return "known";
      throw this.notAnimo(res, `${res.status} and no request status`);
    }
    if (res.status === 404 && body !== undefined) return "unknown";
    if (res.status !== 404) throw animoError(res.status, res.headers, res.text(), "status");
    throw this.notAnimo(res, "404 and no JSON error");
  }

  private notAnimo(res: HttpResponse, answered: string): AigcError {
    return new AigcError({
      category: "invalid_input",
      code: "NotAnimoEndpoint",
      vendor: ANIMO,
      httpStatus: res.status,
      message: `${safeUrl(this.cfg.endpoint)} answered a request status lookup with ${answered} (${res.body.length ? answerWords(res.text(), res.status) : "an empty body"}): it does not look like an Animo async API`,
      hint: `Set ANIMO_ENDPOINT to the base URL the API's routes are under (it must answer GET ${ANIMO_ASYNC_SUBMIT_PATH}/status/<id>), or use ANIMO_MODE=sync for an endpoint that answers the generation POST with the video.`,
    });
  }

  /** Async mode: reads a request's status (free; safe to repeat). */
  async status(id: string, signal?: AbortSignal): Promise<AnimoStatus> {
    const res = await this.statusResponse(id, signal);
    if (res.status < 200 || res.status >= 300) throw animoError(res.status, res.headers, res.text(), "status");
    const data = res.json();
    if (!data || typeof data !== "object") {
      throw malformedResponse(ANIMO, "Animo answered the status request with a body that is not JSON", {
        httpStatus: res.status,
        requestId: res.requestId,
      });
    }
    return data;
  }

  /**
   * Async mode: the server's engines and models (`GET /v1/models`, free). Throws AigcError: a
   * server without the route answers 404 (not_found).
   */
  async models(signal?: AbortSignal): Promise<AnimoEngine[]> {
    const url = this.cfg.endpoint + ANIMO_MODELS_PATH;
    const res = await httpRequest(url, {
      vendor: ANIMO,
      baseUrlVariable: "ANIMO_ENDPOINT",
      headers: this.headers(false),
      signal,
      timeoutMs: Math.min(this.cfg.timeoutMs, 30_000),
      maxBytes: 1024 * 1024,
      retry: RETRY_SAFE,
    });
    if (res.status < 200 || res.status >= 300) throw animoError(res.status, res.headers, res.text(), "models");
    const engines = (res.json() as { engines?: unknown } | undefined)?.engines;
    if (!Array.isArray(engines)) {
      throw malformedResponse(ANIMO, `Animo answered GET ${ANIMO_MODELS_PATH} without an engines list`, {
        httpStatus: res.status,
        requestId: res.requestId,
      });
    }
    return engines.flatMap((e: unknown): AnimoEngine[] => {
      if (!e || typeof e !== "object") return [];
      const o = e as Record<string, unknown>;
      if (typeof o.engine !== "string") return [];
      const models = Array.isArray(o.models)
        ? o.models
            .map((m: unknown) => (typeof m === "string" ? m : (m as { id?: unknown } | null)?.id))
            .filter((id): id is string => typeof id === "string")
        : [];
      return [
        {
          engine: o.engine,
          ...(typeof o.configured === "boolean" ? { configured: o.configured } : {}),
          ...(typeof o.default === "string" ? { default: o.default } : {}),
          models,
          ...(typeof o.note === "string" ? { note: o.note } : {}),
        },
      ];
    });
  }
}
