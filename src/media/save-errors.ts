/** The errors of saving an output: a download the fetch policy refused, an output over the size cap. */
import { AigcError } from "../errors.js";
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

export function tooLarge(vendor: string, bytes: number, max: number): AigcError {
  return new AigcError({
    category: "too_large",
    code: "MediaTooLarge",
    vendor,
    message: `the output is ${bytes} bytes or more, over the ${max}-byte cap`,
    hint: "Raise AIGC_MCP_MAX_MEDIA_BYTES or ask for a smaller output.",
  });
}
