/** The errors of saving an output: a download the fetch policy refused, an output over the size cap, bytes that are no media. */
import { AigcError, vendorDisplayName } from "../errors.js";
import { DownloadRefused, OPEN_POLICY_NOTE } from "../net/fetch-policy.js";
import { safeUrl } from "../net/http.js";

/** A download the URL fetch policy refused, as the error shown for it (others pass through). */
export function refusal(err: unknown, url: string, vendor: string): unknown {
  const refused = err instanceof DownloadRefused ? err : (err as { cause?: unknown })?.cause;
  if (!(refused instanceof DownloadRefused)) return err;
  return new AigcError(
    {
      category: "bad_response",
      code: "DownloadRefused",
      vendor,
      message: `could not download the output ${safeUrl(url)}`,
      hint: `The URL's host is not a public address. ${OPEN_POLICY_NOTE}`,
    },
    { cause: refused },
  );
}

/**
 * An output over the media cap. Only outputs are saved here: the vendor made this one (and bills
 * it), which the message says as Animo's refusal of a declared length does (vendors/animo/client.ts).
 */
export function tooLarge(vendor: string, bytes: number, max: number): AigcError {
  return new AigcError({
    category: "too_large",
    code: "MediaTooLarge",
    vendor,
    billed: true,
    message: `the output is ${bytes} bytes or more, over the ${max}-byte cap (AIGC_MCP_MAX_MEDIA_BYTES); ${vendorDisplayName(vendor)} made it, so it is billed, but it was not saved`,
    hint: "Raise AIGC_MCP_MAX_MEDIA_BYTES, or ask for a smaller output (shorter, lower resolution).",
  });
}

/** The refusal of bytes of no media type (an HTML or JSON error page where a file was expected). */
export function notMedia(head: Buffer, bytes: number, expected: string, vendor: string): AigcError {
  const preview = head
    .subarray(0, 60)
    .toString("utf8")
    .replace(/[^\x20-\x7e]/g, ".");
  const message = `expected ${expected} data but received ${bytes} bytes of no media type starting "${preview}"`;
  return new AigcError({ category: "bad_response", code: "UnexpectedMediaType", vendor, message });
}
