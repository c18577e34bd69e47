/** Ark errors: `{"error":{code,message,param,type}}` answers mapped to actionable AigcErrors. */
import { AigcError, type ErrorCategory } from "../../errors.js";
import { retryAfterMs, type HttpResponse } from "../../net/http.js";

export const ARK = "Ark";

const MODERATION = /Sensitive|Risk|ContentSecurity/;

/** Maps an Ark error answer (`{"error":{code,message,param,type}}`) to an actionable error. */
export function arkError(res: HttpResponse): AigcError {
  const body = res.json() as { error?: { code?: string; message?: string; param?: string } } | undefined;
  const code = body?.error?.code ?? `HTTP${res.status}`;
  const rawMessage = body?.error?.message ?? (res.text().slice(0, 200) || `HTTP ${res.status} with an empty body`);
  const requestId = res.requestId ?? /Request id:\s*([\w-]+)/i.exec(rawMessage)?.[1];
  const message = rawMessage.replace(/\s*Request id:\s*[\w-]+\.?/i, "").trim();
  let category: ErrorCategory = "vendor";
  let hint: string | undefined;
  if (res.status === 401) {
    category = "auth";
    hint =
      "ARK_API_KEY is missing or invalid. Keys are bound to a region: a Volcengine (cn-beijing) key does not work against BytePlus and vice versa, so check ARK_BASE_URL too.";
  } else if (res.status === 403) {
    category = "permission";
    hint = "The key's account may not use this model or operation; check the Ark console permissions.";
  } else if (res.status === 404) {
    category = "not_found";
    hint = /ModelNotOpen|NotFound|AccessDisabled/.test(code)
      ? "The model id is unknown or not activated for this account: activate it in the Ark console (开通管理) or pass another model."
      : undefined;
  } else if (res.status === 429) {
    category = /Quota/i.test(code) ? "quota" : "rate_limit";
  } else if (res.status === 400 && MODERATION.test(code)) {
    category = "content_policy";
  } else if (res.status === 400 || res.status === 422) {
    category = "invalid_input";
    hint = body?.error?.param ? `Change the parameter "${body.error.param}".` : "Change the parameter the message names.";
  } else if (res.status >= 500) {
    category = "vendor";
  }
  const wait = retryAfterMs(res.headers);
  return new AigcError({
    category,
    code,
    vendor: ARK,
    httpStatus: res.status,
    requestId,
    message,
    hint,
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  });
}
