/** Kling error codes (`{"code":1xxx,"message","request_id"}`) mapped to actionable errors. */
import type { AigcError, ErrorCategory } from "../../errors.js";
import type { HttpResponse } from "../../net/http.js";
import { answerWords, httpFailure } from "../kit/errors.js";

export const KLING = "Kling";

/** A failed task's message that names moderation: Kling says so in words only ("Failure to pass the risk control system"). */
export const MODERATED_TASK = /risk control|sensitive|violat|policy/i;

interface CodeInfo {
  category: ErrorCategory;
  hint?: string;
}

const AUTH_HINT =
  "Check KLING_API_KEY (or KLING_ACCESS_KEY and KLING_SECRET_KEY); keys are bound to a region: a Beijing key does not work on api-singapore and vice versa, so check KLING_BASE_URL too.";
/** Kling gives the same 1002 text for an AK/SK token on a new-standard endpoint and for a wrong API key. */
const AKSK_HINT =
  "Kling says this both for an AK/SK token on a new-standard endpoint (those take only an API key: set KLING_API_KEY) and for an API key it does not accept: check KLING_API_KEY and its region (KLING_BASE_URL).";
const CLOCK_HINT = "The token's time window was rejected: this machine's clock is probably off. Sync it (NTP) and try again.";

export const KLING_CODES: Record<number, CodeInfo> = {
  1000: { category: "auth", hint: AUTH_HINT },
  1001: { category: "auth", hint: "The Authorization header was empty. " + AUTH_HINT },
  1002: { category: "auth", hint: AUTH_HINT },
  1003: { category: "auth", hint: CLOCK_HINT },
  1004: { category: "auth", hint: CLOCK_HINT },
  1100: { category: "permission", hint: "Kling reports a problem with the account itself; check it in the Kling developer console." },
  1101: { category: "quota", hint: "The Kling account is in arrears: top up the balance in the Kling developer console." },
  1102: {
    category: "quota",
    hint: "The resource pack for this kind of task is used up or expired: buy or renew one in the Kling developer console.",
  },
  1103: {
    category: "permission",
    hint: "This key may not use this endpoint or model: enable it for the account in the Kling developer console, or pick another model.",
  },
  1200: { category: "invalid_input", hint: "Change the request as the message says." },
  1201: { category: "invalid_input", hint: "Change the parameter the message names." },
  1202: { category: "invalid_input", hint: "The endpoint or method is wrong for this host; check KLING_BASE_URL." },
  1203: {
    category: "not_found",
    hint: "The model or resource does not exist for this account: check the model name (new models may need enabling) or the id.",
  },
  1300: { category: "content_policy", hint: "Kling's platform policy refused the request; change the prompt or inputs." },
  1301: {
    category: "content_policy",
    hint: "Kling's content safety check flagged the prompt or an input image; rephrase it or use another image.",
  },
  1302: { category: "rate_limit", hint: "Too many requests per second: wait a little and call again." },
  1303: {
    category: "rate_limit",
    hint: "The account's parallel-task limit (per resource pack) is reached: wait for running Kling jobs to finish (list_jobs), then call again. Nothing was created or billed.",
  },
  1304: { category: "permission", hint: "Kling's IP allow-list refused this machine's address; add it in the Kling developer console." },
  5000: { category: "vendor", hint: "Kling had an internal error; try again in a minute." },
  5001: { category: "vendor", hint: "Kling is unavailable (maintenance); try again later." },
  5002: { category: "vendor", hint: "Kling timed out internally; try again in a minute." },
};

/**
 * A Kling error answer (an HTTP error status, or a 200 whose envelope `code` is not 0) as an
 * actionable error: `body` is the parsed envelope `{code, message, request_id}` when there is one.
 */
export function klingError(
  res: Pick<HttpResponse, "status" | "headers" | "requestId" | "text">,
  body: { code?: unknown; message?: unknown; request_id?: unknown } | undefined,
): AigcError {
  const code = typeof body?.code === "number" ? body.code : undefined;
  const known = code !== undefined ? KLING_CODES[code] : undefined;
  // Kling's code decides; without a known one, the kit's status ladder does (an unknown code in a 200 is Kling's fault).
  const category: ErrorCategory | undefined = known?.category ?? (res.status >= 400 ? undefined : "vendor");
  const message = typeof body?.message === "string" && body.message ? body.message : answerWords(res.text(), res.status);
  return httpFailure(KLING, res.status, res.headers, {
    category,
    code: code !== undefined ? String(code) : `HTTP${res.status}`,
    requestId: typeof body?.request_id === "string" && body.request_id ? body.request_id : res.requestId,
    message,
    hint: code === 1002 && /AK\/SK/i.test(message) ? AKSK_HINT : known?.hint,
    baseUrlVariable: "KLING_BASE_URL",
  });
}

/** 1302 / 1303: Kling rejected the request before creating anything, so sending it again is safe. */
export const isRejectedForLoad = (err: AigcError) => err.info.vendor === KLING && (err.code === "1302" || err.code === "1303");
