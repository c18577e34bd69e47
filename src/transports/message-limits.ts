/**
 * The whole-message limits both transports apply to a JSON-RPC message's text (an HTTP body, a batch
 * as a whole, or a stdio line) before it is parsed. JSON.parse and the SDK's zod checks (several per
 * message, each walking every key, `params._meta` included) cost far more than the bytes suggest: a
 * 4 MB ping with 350 000 `_meta` keys held the event loop, so every other caller, for over 4 s, and
 * 2 000 000 nested brackets for over 1 s. The scan here reads the text once, skipping strings with
 * indexOf, and stops at the first limit passed; a message within the limits is then parsed once.
 */
import { MAX_ARGUMENT_DEPTH, MAX_ARGUMENT_VALUES } from "../tools/argument-limits.js";

/** Most values (object members and array elements, all levels) in one message: the arguments' own limit, plus room for the rest. */
export const MAX_MESSAGE_VALUES = MAX_ARGUMENT_VALUES + 1_000;
/**
 * Most members of one object. zod's cost is in the objects it walks key by key (the message, its
 * params, `_meta`, a tool's arguments and record fields): 99 000 `_meta` keys held the event loop
 * 0.9 s. MCP messages, tool arguments and vendor bodies have tens of keys.
 */
export const MAX_OBJECT_KEYS = 1_000;
/** Deepest nesting in one message: the arguments' own limit, plus the envelope around them (message, params, arguments). */
export const MAX_MESSAGE_DEPTH = MAX_ARGUMENT_DEPTH + 8;

export type Limit = "values" | "keys" | "depth";

export interface MessageRefusal {
  /** The JSON-RPC error answering it (Invalid Request), naming the limit. */
  error: { code: number; message: string; data: { limit: number; what: Limit } };
  /** The request's id when it can be read from the message's ends (see requestId), else null. */
  id: string | number | null;
}

const LIMITS: Record<Limit, { limit: number; text: string }> = {
  values: {
    limit: MAX_MESSAGE_VALUES,
    text: `the message holds more than ${MAX_MESSAGE_VALUES} values (object members and array elements at every level, params._meta included); send less data. One string, such as a base64 image, counts as one value.`,
  },
  keys: {
    limit: MAX_OBJECT_KEYS,
    text: `an object in the message (params._meta included) has more than ${MAX_OBJECT_KEYS} members; send less data`,
  },
  depth: { limit: MAX_MESSAGE_DEPTH, text: `the message is nested more than ${MAX_MESSAGE_DEPTH} levels deep; flatten it` },
};

/**
 * Why the message `text` is refused, or undefined when it is within the limits. Text that is not
 * JSON passes when no limit is met before the fault: JSON.parse then refuses it.
 */
export function messageRefusal(text: string): MessageRefusal | undefined {
  const what = overLimit(text);
  if (!what) return undefined;
  const { limit, text: says } = LIMITS[what];
  const id = requestId(text.slice(0, EDGE), text.slice(-EDGE)) ?? null;
  return { error: { code: -32600, message: `Invalid Request: ${says}`, data: { limit, what } }, id };
}

const [QUOTE, BACKSLASH, COMMA, OPEN_ARRAY, OPEN_OBJECT, CLOSE_ARRAY, CLOSE_OBJECT] = [34, 92, 44, 91, 123, 93, 125];

/**
 * The first structure limit the JSON `text` passes, or undefined. Also run on a tool argument sent
 * as a string holding JSON (tools/coerce.ts) before it is parsed: the message scan skips strings.
 */
export function overLimit(text: string): Limit | undefined {
  // members per open container, whether it is an object; past MAX_MESSAGE_DEPTH the scan stops
  const members = new Int32Array(MAX_MESSAGE_DEPTH + 3);
  const isObject = new Uint8Array(MAX_MESSAGE_DEPTH + 3);
  let depth = 0;
  // a batch's messages each start at depth 1
  let base = 0;
  let count = 0;
  let opened = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) continue;
    const member = c === COMMA || (opened && c !== CLOSE_ARRAY && c !== CLOSE_OBJECT);
    opened = false;
    if (member && depth > 0) {
      if (++count > MAX_MESSAGE_VALUES) return "values";
      if (++members[depth]! > MAX_OBJECT_KEYS && isObject[depth]) return "keys";
    }
    if (c === QUOTE) {
      i = closingQuote(text, i);
      if (i < 0) return undefined;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (depth === 0 && c === OPEN_ARRAY) base = 1;
      if (++depth - base > MAX_MESSAGE_DEPTH) return "depth";
      members[depth] = 0;
      isObject[depth] = c === OPEN_OBJECT ? 1 : 0;
      opened = true;
    } else if ((c === CLOSE_ARRAY || c === CLOSE_OBJECT) && depth > 0) depth--;
  }
  return undefined;
}

/** The index of the quote closing the string that opens at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  for (let q = text.indexOf('"', start + 1); q !== -1; q = text.indexOf('"', q + 1)) {
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q;
  }
  return -1;
}

/** The characters of a message's ends where requestId looks. */
export const EDGE = 512;

/** What to do about a message over a size limit (HTTP's AIGC_MCP_MAX_BODY_BYTES, stdio's own). */
export const LARGE_MEDIA =
  "Pass large media as a file path, an http(s) URL or a media:// URI instead of inline data (base64 adds a third), or raise the limit.";
const ID = String.raw`"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,256}")`;

/** The top-level id of a JSON-RPC request, from its first or last characters (clients put it first or last). */
export function requestId(head: string, tail: string): string | number | undefined {
  const m =
    new RegExp(String.raw`^\s*\{\s*${ID}\s*,`).exec(head) ??
    new RegExp(String.raw`^\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*${ID}\s*,`).exec(head) ??
    new RegExp(String.raw`,\s*${ID}\s*\}\s*$`).exec(tail);
  if (!m) return undefined;
  return JSON.parse(m[1]!) as string | number;
}
