/**
 * Ark errors: `{"error":{code,message,param,type}}` answers mapped to actionable AigcErrors. Only
 * Ark's own codes and hints are here; statuses, Retry-After and the rest are the kit's (httpFailure).
 */
import type { AigcError, ErrorCategory } from "../../errors.js";
import type { HttpResponse } from "../../net/http.js";
import { answerWords, httpFailure } from "../kit/errors.js";

export const ARK = "Ark";

export const MODERATION = /Sensitive|Risk|ContentSecurity/;

/** Maps an Ark error answer (`{"error":{code,message,param,type}}`) to an actionable error. */
export function arkError(res: HttpResponse): AigcError {
  const body = res.json() as { error?: { code?: string; message?: string; param?: string } } | undefined;
  const code = body?.error?.code ?? `HTTP${res.status}`;
  const rawMessage = body?.error?.message ?? answerWords(res.text(), res.status);
  const requestId = res.requestId ?? /Request id:\s*([\w-]+)/i.exec(rawMessage)?.[1];
  const message = rawMessage.replace(/\s*Request id:\s*[\w-]+\.?/i, "").trim();
  let category: ErrorCategory | undefined;
  let hint: string | undefined;
  if (res.status === 401) {
    hint =
      "ARK_API_KEY is missing or invalid. Keys are bound to a region: a Volcengine (cn-beijing) key does not work against BytePlus and vice versa, so check ARK_BASE_URL too.";
  } else if (res.status === 403) {
    hint = "The key's account may not use this model or operation; check the Ark console permissions.";
  } else if (res.status === 404 && code === "NotFound.TaskId") {
    hint =
      "Ark does not know this task for this account: it was created with other credentials (another server's ARK_API_KEY), or deleted (Ark keeps tasks 24 h).";
  } else if (res.status === 404) {
    hint = /ModelNotOpen|NotFound|AccessDisabled/.test(code)
      ? "The model id is unknown or not activated for this account: activate it in the Ark console (开通管理) or pass another model."
      : undefined;
  } else if (res.status === 429 && /Quota/i.test(code)) {
    category = "quota";
  } else if (res.status === 400 && MODERATION.test(code)) {
    category = "content_policy";
  } else if (res.status === 400 || res.status === 422) {
    hint = body?.error?.param ? `Change the parameter "${body.error.param}".` : "Change the parameter the message names.";
  }
  return httpFailure(ARK, res.status, res.headers, { category, code, requestId, message, hint, baseUrlVariable: "ARK_BASE_URL" });
}
