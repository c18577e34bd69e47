/**
 * Issue 12 items 1-2: arguments as clients really send them. LLM clients and Dify often send a
 * number as "5", a boolean as "false", a list as a JSON string or a single bare item, and an
 * object as a JSON string. Each tool's own zod schema says what a field is, so one generic pass
 * turns those strings into the value the schema expects before validation; the schema's range
 * checks then apply as usual.
 */
import { z } from "zod";
import { inputError } from "../errors.js";
import { isObject } from "../is-object.js";
import { MAX_MESSAGE_DEPTH, MAX_MESSAGE_VALUES, MAX_OBJECT_KEYS, overLimit, type Limit } from "../transports/message-limits.js";
import { MAX_MEDIA_REF } from "./media-inputs.js";

type Def = {
  type: string;
  entries?: Record<string, unknown>;
  innerType?: Schema;
  in?: Schema;
  element?: Schema;
  shape?: Record<string, Schema>;
  options?: Schema[];
};
type Schema = z.ZodType & { _zod: { def: Def } };

/** A plain decimal: optional sign, digits, optional fraction. No padding, exponent, hex or bare point. */
const DECIMAL = /^[-+]?\d+(\.\d+)?$/;
const WRAPPERS = new Set(["optional", "default", "nullable", "readonly", "catch", "nonoptional", "prefault"]);

/** The schema under optional/default/nullable/pipe wrappers. */
function unwrap(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 16; i++) {
    const def = s._zod.def;
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = def.in;
    else break;
  }
  return s;
}

/** A plain word for what a list holds, for "expected a list of …". */
function itemWord(element: Schema): string {
  const t = unwrap(element)._zod.def.type;
  return t === "string" ? "strings" : t === "number" ? "numbers" : t === "object" ? "objects" : `${t} values`;
}

/** A string element bounded like a media reference (MAX_MEDIA_REF): a URL, data:/media:// URI or path, not free text. */
function isMediaRef(element: Schema): boolean {
  return element instanceof z.ZodString && element.maxLength === MAX_MEDIA_REF;
}

/**
 * The field of an object whose only required field is a media reference (`{image, role?}`): a bare
 * reference sent for such an object is taken as that field, as a bare item is taken as a list.
 */
function mediaField(s: Schema): string | undefined {
  if (s._zod.def.type !== "object") return undefined;
  const required = Object.entries(s._zod.def.shape ?? {}).filter(([, f]) => !f.safeParse(undefined).success);
  return required.length === 1 && isMediaRef(unwrap(required[0]![1])) ? required[0]![0] : undefined;
}

const HTTP_URL = /^https?:\/\/\S+$/i;
/** A value that is one reference as it stands: a URI with a scheme (data:, media://, https://, asset://) or a path (/, \ or ~). */
const ONE_REF = /^(data:|[a-z][a-z0-9+.-]*:\/\/)|[/\\]|^~/i;

/**
 * A string sent for a list of media references: several http(s) URLs separated by commas and/or
 * whitespace (every piece a URL) are that list; one URL, data: URI or path is a one-item list
 * (a data: URI is never split); other text with spaces or commas is refused, naming the field.
 */
function mediaList(t: string, value: string, path: string, element: Schema): string[] {
  if (!/^data:/i.test(t)) {
    const pieces = t.split(/[\s,]+/).filter(Boolean);
    if (pieces.length > 1 && pieces.every((p) => HTTP_URL.test(p))) return pieces;
  }
  if (ONE_REF.test(t) || !/[\s,]/.test(t)) return [value];
  throw inputError(
    path,
    `expected a list of ${itemWord(element)}: a JSON array such as ["https://example.com/a.png"], URLs separated by commas, or a single URL, data: URI or file path; got ${JSON.stringify(t.length > 40 ? `${t.slice(0, 39)}…` : t)}`,
  );
}

const OVER: Record<Limit, string> = {
  values: `more than ${MAX_MESSAGE_VALUES} values`,
  keys: `an object of more than ${MAX_OBJECT_KEYS} members`,
  depth: `more than ${MAX_MESSAGE_DEPTH} levels of nesting`,
};

/**
 * A string holding JSON, parsed, or why it is not JSON. The message's own structure scan skips
 * strings, so the text is held to the same limits before JSON.parse walks it (message-limits.ts).
 */
function parseJson(text: string, path: string): { value: unknown } | { error: string } {
  const over = overLimit(text);
  if (over) throw inputError(path, `is a string holding JSON with ${OVER[over]}; send less data`);
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** A short example of an object the schema takes: its required keys (else its first), or any key for a record. */
function objectExample(s: Schema): string {
  const shape = Object.entries(s._zod.def.shape ?? {});
  if (!shape.length) return '{"name": …}';
  const required = shape.filter(([, f]) => !f.safeParse(undefined).success).map(([k]) => k);
  return `{${(required.length ? required : [shape[0]![0]])
    .slice(0, 2)
    .map((k) => `"${k}": …`)
    .join(", ")}}`;
}

/** The object a string holding a JSON object stands for; any other string is refused, naming the field and both forms. */
function objectFromString(value: string, path: string, s: Schema): Record<string, unknown> {
  const t = value.trim();
  const parsed = t.startsWith("{") ? parseJson(t, path) : undefined;
  if (parsed && "value" in parsed && isObject(parsed.value)) return parsed.value;
  const got = !parsed
    ? `got ${JSON.stringify(t.length > 40 ? `${t.slice(0, 39)}…` : t)}`
    : "error" in parsed
      ? `got a string that is not valid JSON (${parsed.error.slice(0, 100)})`
      : "got JSON that is not an object";
  throw inputError(path, `expected an object such as ${objectExample(s)}: send it as a JSON object, or as a string holding one; ${got}`);
}

/** Examples of the form (not of the range, which the field's own check gives): no fraction for an integer field. */
function numberExample(schema: Schema): string {
  return (schema as unknown as { isInt?: boolean }).isInt ? "42" : "42 or 2.5";
}

/** The value the schema expects, when `value` is a string form of it; `value` itself otherwise. Throws for a string that cannot be a number or a list. */
function coerce(schema: Schema, value: unknown, path: string): unknown {
  if (value === undefined || value === null) return value;
  const s = unwrap(schema);
  const def = s._zod.def;
  switch (def.type) {
    case "number":
      if (typeof value !== "string") return value;
      if (DECIMAL.test(value)) return Number(value);
      throw inputError(path, `must be a plain decimal number such as ${numberExample(s)} (got ${JSON.stringify(value.slice(0, 40))})`);
    case "boolean":
      if (typeof value !== "string") return value;
      return value.trim().toLowerCase() === "true" ? true : value.trim().toLowerCase() === "false" ? false : value;
    case "enum":
      // An enum value is a code, trimmed as ids are (bounds.ts idText): " pro " is pro.
      return typeof value === "string" && Object.values(def.entries ?? {}).includes(value.trim()) ? value.trim() : value;
    case "array": {
      const element = def.element!;
      let list = value;
      if (typeof value === "string") {
        const t = value.trim();
        const json = t.startsWith("[") ? parseJson(t, path) : undefined;
        const parsed = json && "value" in json ? json.value : undefined;
        const media = isMediaRef(unwrap(element)) || mediaField(unwrap(element)) !== undefined;
        const single = (unwrap(element)._zod.def.type === "string" || media) && t && !t.startsWith("[");
        if (Array.isArray(parsed)) list = parsed;
        else if (single && media) list = mediaList(t, value, path, element);
        else if (single) list = [value];
        else
          throw inputError(
            path,
            `expected a list of ${itemWord(element)}: a JSON array such as ["https://example.com/a.png"]${unwrap(element)._zod.def.type === "string" ? " or a single item" : ""}, got a string that is neither`,
          );
      }
      return Array.isArray(list) ? list.map((v, i) => coerce(element, v, `${path}[${i}]`)) : list;
    }
    case "record":
    case "object": {
      const field = def.type === "object" ? mediaField(s) : undefined;
      // A media reference never starts with "{": such a string is the object as JSON.
      if (field && typeof value === "string" && !value.trim().startsWith("{")) return { [field]: value };
      const obj = typeof value === "string" ? objectFromString(value, path, s) : value;
      if (!isObject(obj)) {
        if (field)
          throw inputError(
            path,
            `expected {"${field}": "https://…"} or the ${field} itself as a string (a URL, data: URI or file path); got ${JSON.stringify(value).slice(0, 40)}`,
          );
        return obj;
      }
      if (def.type === "record") return obj;
      const shape = def.shape ?? {};
      const out: Record<string, unknown> = { ...obj };
      for (const [k, v] of Object.entries(out)) if (Object.hasOwn(shape, k)) out[k] = coerce(shape[k]!, v, `${path}.${k}`);
      return out;
    }
    case "union": {
      // A value one branch already takes is left alone ("5" stays a string where a string is allowed).
      const options = def.options ?? [];
      if (options.some((o) => o.safeParse(value).success)) return value;
      for (const o of options) {
        try {
          const c = coerce(o, value, path);
          if (c !== value && o.safeParse(c).success) return c;
        } catch {
          // another branch may still fit; the schema reports the failure
        }
      }
      return value;
    }
    default:
      return value;
  }
}

/** A call's arguments with strings turned into the numbers, booleans and lists the tool's schema declares. */
export function coerceArguments(input: z.ZodRawShape, args: unknown): unknown {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return args;
  const out: Record<string, unknown> = { ...(args as Record<string, unknown>) };
  for (const [k, v] of Object.entries(out)) {
    const schema = input[k] as Schema | undefined;
    if (schema) out[k] = coerce(schema, v, k);
  }
  return out;
}
