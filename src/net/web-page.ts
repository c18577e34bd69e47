/**
 * Answers that are web pages (HTML), not a vendor's API: no vendor API answers so, so the base URL
 * points at a web server, a portal or a wrong path, or a proxy in front of the vendor answered for
 * it. How such an answer is named in an error, and what to check.
 */
import { AigcError } from "../errors.js";
import { clip, redact } from "../log.js";

/** True when `headers` say the answer is a web page. */
export const isWebPage = (headers: Record<string, string>): boolean =>
  /^\s*(text\/html|application\/xhtml\+xml)/i.test(headers["content-type"] ?? "");

/**
 * What to do about an error answered as a web page (`text/html`): no vendor API answers so, so the
 * base URL points elsewhere (a web server, a wrong path), or a proxy in front of the vendor answered
 * for it. Undefined for any other answer.
 */
export function webPageHint(vendor: string, baseUrlVariable: string, status: number, headers: Record<string, string>): string | undefined {
  if (!isWebPage(headers)) return undefined;
  const check = `The answer was a web page (HTML), not ${vendor}'s API: check that ${baseUrlVariable} is ${vendor}'s API base URL`;
  return status >= 500 ? `${check}; if it is, a proxy in front of ${vendor} answered for it: try again in a few minutes.` : `${check}.`;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

/** Text of an HTML fragment: without scripts, styles and tags, its common entities decoded, whitespace collapsed. */
function pageText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_m, e: string) => ENTITIES[e]!)
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * An error answer's body as words for a message, when it is not the vendor's JSON: markup (a
 * proxy's or a web server's page, XML) as its title and then its text, without tags, scripts and styles; any
 * other body with its whitespace collapsed. Redacted and clipped to 200 characters;
 * `HTTP <status> with an empty body` when nothing is left.
 */
export function answerWords(body: string, status: number): string {
  // Redacted before it is cut, so a secret across the cut is not half shown; what a message shows is
  // near the top, and the bound keeps the patterns cheap. A tag the cut split is dropped.
  const head = redact(body.slice(0, 12_288))
    .slice(0, 8192)
    .replace(/<[^>]*$/, "");
  let words: string;
  if (/^\s*<[!?a-z]/i.test(head) || /<(html|head|body|title)\b/i.test(head.slice(0, 2048))) {
    const title = pageText(/<title[^>]*>([^<]*)<\/title>/i.exec(head)?.[1] ?? "");
    const text = pageText(head.replace(/<head\b[\s\S]*?<\/head\s*>/i, " "));
    words = title && text.startsWith(title) ? text : [title, text].filter(Boolean).join(": ");
  } else {
    words = head.slice(0, 4096).replace(/\s+/g, " ").trim();
  }
  return clip(words, 200) || `HTTP ${status} with an empty body`;
}

/** True when `body` starts as markup (a page), not as JSON, an event stream or media labelled text/html. */
function isMarkup(body: Buffer): boolean {
  return /^\s*</.test(
    body
      .subarray(0, 1024)
      .toString("utf8")
      .replace(/^\uFEFF/, ""),
  );
}

/**
 * `NotVendorApi` when a success status (2xx) was answered with a web page (labelled text/html and
 * markup) where `vendor`'s API was asked; undefined for any other answer. Most often the base URL
 * points at a web server, a login or network portal, or a single-page site that answers every
 * path, and the vendor never saw the request; but a proxy or firewall in front of the vendor may
 * also have replaced the vendor's answer after it did the work. So it is an answer this server
 * cannot read (`bad_response`: a billable request is never sent again, and counts as spent), and
 * says both. `body` is the whole answer, read for its words.
 */
export function pageInsteadOfApi(
  vendor: string,
  baseUrlVariable: string,
  url: string,
  answer: { status: number; headers: Record<string, string>; body: Buffer },
): AigcError | undefined {
  const { status, headers, body } = answer;
  if (status < 200 || status >= 300 || !isWebPage(headers) || !isMarkup(body)) return undefined;
  return new AigcError({
    category: "bad_response",
    code: "NotVendorApi",
    vendor,
    httpStatus: status,
    webPage: true,
    message: `${url} answered with a web page (HTTP ${status}, ${headers["content-type"]}: ${answerWords(body.toString("utf8"), status)}), not ${vendor}'s API`,
    hint: `${webPageHint(vendor, baseUrlVariable, status, headers)!.replace(/\.$/, "")}; if it is, a proxy or firewall in front of ${vendor} answered instead, possibly after ${vendor} did the work: check the ${vendor} console before calling again.`,
  });
}
