/**
 * The DNS lookups outbound sockets connect with: the socket connects to the address the lookup
 * returns, so a check made here cannot be bypassed by a name that resolves differently later.
 */
import type { LookupAddress, LookupOptions } from "node:dns";
import { isMetadataHost, isPublicAddress } from "./addresses.js";

/** Why a download was refused before it connected; callers log it and show "could not download". */
export class DownloadRefused extends Error {
  readonly code = "EDOWNLOADREFUSED";
  constructor(
    message: string,
    /** The host refused only for not being public: listing it in AIGC_MCP_FETCH_ALLOW_HOSTS lets it through. */
    readonly allowableHost?: string,
  ) {
    super(message);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup that fails when any address of the name is refused: the socket connects to what it returns. */
function lookupRefusing(refused: (ip: string) => boolean, what: string, allowable: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    // node:dns on first use, not at every start (issue 16)
    process.getBuiltinModule("node:dns").lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = addresses.find((a) => refused(a.address));
      if (bad || !addresses.length) {
        const why = `${hostname} resolves to ${bad?.address ?? "no address"}, which is ${what}`;
        return callback(new DownloadRefused(why, allowable && bad && !isMetadataHost(bad.address) ? hostname : undefined), []);
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** dns.lookup that fails when any address of the name is not public. */
export const checkedLookup = lookupRefusing((ip) => !isPublicAddress(ip), "not a public address", true);
/** dns.lookup for an allow-listed host: any address but a link-local or cloud metadata one, which no entry may reach. */
export const allowedLookup = lookupRefusing((ip) => isMetadataHost(ip), "a link-local or cloud metadata address", false);
