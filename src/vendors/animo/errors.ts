/** Animo errors: every answer shape the Animo servers send, mapped to an actionable AigcError. */
import type { AigcError, ErrorCategory } from "../../errors.js";
import { requestIdOf } from "../../net/http.js";
import { answerWords, httpFailure } from "../kit/errors.js";

export const ANIMO = "Animo";

const ENGINE_HINT =
  "check ANIMO_ENGINE / ANIMO_MODEL against the server's list (list_models with live: true), or unset them to use the server's defaults";

const MODERATION = /content.?policy|moderat|safety|nsfw|sensitive|inappropriate/i;

function errorText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object") {
    const o = v as { message?: unknown; detail?: unknown };
    if (typeof o.message === "string") return o.message;
    if (typeof o.detail === "string") return o.detail;
  }
  return undefined;
}

/**
 * Maps an Animo error answer to an actionable error. No error schema is documented: the
 * self-hostable server sends `{"error": "...", "code"?: "..."}`; `{"error": {code, message}}`,
 * `{"message"}`, `{"detail"}` and plain text are read too.
 */
export function animoError(
  status: number,
  headers: Record<string, string>,
  bodyText: string,
  call: "sync" | "submit" | "status" | "models",
): AigcError {
  let body: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(bodyText) as unknown;
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const nested = body?.error && typeof body.error === "object" ? (body.error as Record<string, unknown>) : undefined;
  const rawCode = [body?.code, nested?.code, nested?.type].find((v) => typeof v === "string" || typeof v === "number");
  const code = rawCode !== undefined ? String(rawCode) : `HTTP${status}`;
  const message = (body ? (errorText(body.error) ?? errorText(body)) : undefined) ?? answerWords(bodyText, status);
  const requestId = requestIdOf(headers) ?? (typeof body?.requestId === "string" ? body.requestId : undefined);
  let category: ErrorCategory | undefined;
  let hint: string | undefined;
  if (status === 401) {
    hint =
      "ANIMO_API_KEY is missing or invalid for ANIMO_ENDPOINT (keys come from https://animo.video/dev); fix it and restart the server.";
  } else if (status === 403) {
    hint = "The key is not allowed to generate videos at this endpoint; check the key's plan and ANIMO_ENDPOINT.";
  } else if (status === 402) {
    hint = "The Animo account has no credit left; top it up.";
  } else if (status === 404 || status === 405) {
    hint =
      call === "status"
        ? "Animo does not know this request id (it may have expired); generate again."
        : call === "sync"
          ? "ANIMO_ENDPOINT does not accept the generation POST: set it to the full video generation URL, or set ANIMO_MODE=async for the animo.video API."
          : call === "models"
            ? "This Animo server has no model list (GET /v1/models; the self-hostable server has one). Generation does not need it."
            : "ANIMO_ENDPOINT is not the animo.video API base (it must answer POST /v1/video/generation).";
  } else if (status === 408 || status === 504) {
    hint =
      call === "sync"
        ? "The render took longer than the Animo server allows; ask for a shorter duration or a lower resolution."
        : undefined;
  } else if ((status === 400 || status === 422) && MODERATION.test(`${code} ${message}`)) {
    category = "content_policy";
  } else if (status === 400 || status === 422) {
    hint =
      call === "sync"
        ? "Change the parameter the message names (duration 1-60, style, resolution, prompt)."
        : `Change the parameter the message names (prompt, aspect_ratio), or ${ENGINE_HINT}.`;
  } else if (status === 413) {
    category = "invalid_input";
    hint = "Shorten the prompt.";
  } else if (status >= 500 && code === "code_generation_failed") {
    hint = `The Animo server's LLM could not write the animation. If ANIMO_ENGINE or ANIMO_MODEL is set, ${ENGINE_HINT}; otherwise call again.`;
  } else if (status >= 500 && call === "sync") {
    hint =
      "Animo failed while rendering. The request was not repeated automatically because it may be billed; call again if you want another attempt.";
  }
  return httpFailure(ANIMO, status, headers, { category, code, requestId, message, hint });
}
