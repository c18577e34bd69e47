/**
 * What AIGC_MCP_MODELS_FILE and AIGC_MCP_PRICES_FILE share: a JSON object keyed by vendor id, read
 * at start-up and dated by its modification time as the source of what it changes.
 */
import { readFile, stat } from "node:fs/promises";
import { printParseErrorCode, visit } from "jsonc-parser";
import { ConfigError } from "../../config.js";
import type { Source } from "./catalog.js";

/**
 * Reads `path` as `{"<vendor id>": …}`. Throws ConfigError naming `variable` and the file when it
 * is missing, not JSON, not an object, keyed by something other than one of `vendorIds`, or has a
 * key written twice in one object (JSON.parse would keep the last one without a word).
 */
export async function readVendorFile(
  path: string,
  variable: string,
  vendorIds: readonly string[],
): Promise<{ raw: Record<string, unknown>; source: Source }> {
  let raw: unknown;
  let text: string;
  try {
    text = await readFile(path, "utf8");
    raw = JSON.parse(text);
  } catch (err) {
    // Never JSON.parse's message: it quotes the file's first bytes, and a file named by mistake may be a secret.
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code ? `cannot be read (${code})` : `is not valid JSON: ${syntaxError(text!)}`;
    throw new ConfigError(variable, `${path} ${why}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new ConfigError(variable, `${path}: must be an object keyed by vendor id (${vendorIds.join(", ")})`);
  const twice = duplicateKey(text);
  if (twice)
    throw new ConfigError(
      variable,
      `${path}: "${twice.path}" is written twice (the second time on line ${twice.line}); merge the two into one`,
    );
  const unknown = Object.keys(raw).find((k) => !vendorIds.includes(k));
  if (unknown) throw new ConfigError(variable, `${path}: "${unknown}" is not a vendor id (${vendorIds.join(", ")})`);
  const source = { url: `file://${path}`, date: (await stat(path)).mtime.toISOString().slice(0, 10) };
  return { raw: raw as Record<string, unknown>, source };
}

/** What JSON expects where the parse failed, without the file's text. */
const EXPECTED: Record<string, string> = {
  InvalidSymbol: "found what starts no JSON value (JSON expects {, [, a string in double quotes, a number, true, false or null)",
  InvalidNumberFormat: "found a number not written as JSON writes numbers",
  PropertyNameExpected: "expected a property name in double quotes (JSON allows no comma after the last property)",
  ValueExpected: "expected a value (JSON allows no comma after the last item)",
  ColonExpected: "expected a colon after the property name",
  CommaExpected: "expected a comma between two items",
  CloseBraceExpected: "expected a comma or the closing }",
  CloseBracketExpected: "expected a comma or the closing ]",
  EndOfFileExpected: "expected the end of the file after the one top-level value",
  InvalidCommentToken: "found a comment, which JSON does not allow",
  UnexpectedEndOfComment: "found a comment, which JSON does not allow",
  UnexpectedEndOfString: "found a string without its closing double quote",
  UnexpectedEndOfNumber: "found a number that ends too early",
  InvalidUnicode: "found a \\u escape without 4 hex digits",
  InvalidEscapeCharacter: "found a backslash escape JSON does not know",
  InvalidCharacter: "found a control character inside a string (write it as an escape such as \\n)",
};

/** Where and why `text` is not JSON, as "line L, column C: what JSON expects there"; never any of the text. */
function syntaxError(text: string): string {
  if (!text.trim()) return "the file is empty";
  if (text.startsWith("\uFEFF")) return "the file starts with a byte-order mark: save it as UTF-8 without one";
  let first: string | undefined;
  visit(
    text,
    {
      onError: (code, _offset, _length, line, column) =>
        void (first ??= `line ${line + 1}, column ${column + 1}: ${EXPECTED[printParseErrorCode(code)] ?? "not JSON"}`),
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  return first ?? "(the file's content is not shown)";
}

/** The first key written twice in one object of `text` (valid JSON), as a dotted path, and the line of its second occurrence. */
function duplicateKey(text: string): { path: string; line: number } | undefined {
  const objects: Array<Set<string>> = [];
  let found: { path: string; line: number } | undefined;
  visit(text, {
    onObjectBegin: () => void objects.push(new Set()),
    onObjectEnd: () => void objects.pop(),
    onObjectProperty: (name, _offset, _length, line, _column, pathOf) => {
      const keys = objects.at(-1)!;
      if (keys.has(name)) found ??= { path: [...pathOf(), name].join("."), line: line + 1 };
      keys.add(name);
    },
  });
  return found;
}
