/**
 * Schema failures in plain words (issue 12 (c)): the field, what it must be and what was sent, instead
 * of the SDK's "MCP error -32602: Input validation error: Invalid arguments for tool …" and zod's JSON.
 */
import type { z } from "zod";
import { inputError, type AigcError } from "../errors.js";

type Issue = z.core.$ZodIssue;

/** zod's own wording starts like this; any other message was written for the field and is kept. */
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized key)/;

const UNITS: Record<string, [one: string, many: string]> = {
  string: ["character", "characters"],
  array: ["item", "items"],
  set: ["item", "items"],
  file: ["byte", "bytes"],
};

/** `n` with its unit, singular for exactly one ("1 item", "14 items"). */
function count(n: number | bigint, unit: [string, string]): string {
  return `${n} ${Number(n) === 1 ? unit[0] : unit[1]}`;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  const s =
    typeof value === "string" ? JSON.stringify(value) : typeof value === "number" || typeof value === "boolean" ? `${value}` : typeof value;
  return s.length > 60 ? `${s.slice(0, 59)}…"` : s;
}

function article(type: string): string {
  const names: Record<string, string> = {
    array: "a list",
    object: "an object",
    int: "a whole number",
    number: "a number",
    string: "a string",
    boolean: "true or false",
  };
  return names[type] ?? `a ${type}`;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const k of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function words(issue: Issue, input: unknown): string {
  const got = valueAt(input, issue.path);
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return got === undefined ? `is required (${article(issue.expected)})` : `must be ${article(issue.expected)} (got ${show(got)})`;
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])} (got ${show(got)})`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")} (got ${show(got)})`;
    case "too_small": {
      const unit = UNITS[issue.origin];
      const bound = issue.inclusive === false ? "more than" : "at least";
      if (!unit) return `must be ${bound} ${issue.minimum} (got ${show(got)})`;
      if (issue.exact) return `must have exactly ${count(issue.minimum, unit)}`;
      const least = Number(issue.minimum) + (issue.inclusive === false ? 1 : 0);
      return least === 1 ? "must not be empty" : `must have at least ${count(least, unit)}`;
    }
    case "too_big": {
      const unit = UNITS[issue.origin];
      const bound = issue.inclusive === false ? "less than" : "at most";
      if (!unit) return `must be ${bound} ${issue.maximum} (got ${show(got)})`;
      if (issue.exact) return `must have exactly ${count(issue.maximum, unit)}`;
      return `must have ${bound} ${count(issue.maximum, unit)}`;
    }
    case "invalid_format":
      return `must be a valid ${issue.format}${issue.pattern ? ` matching ${issue.pattern}` : ""} (got ${show(got)})`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor} (got ${show(got)})`;
    case "unrecognized_keys":
      return issue.keys.length === 1
        ? `has an unknown key ${JSON.stringify(issue.keys[0])}`
        : `has unknown keys ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    case "invalid_union": {
      const options = issue.errors.map((branch) => branch.map((i) => words(i, input)).join(", ")).filter(Boolean);
      return `matches none of its allowed forms${options.length ? ` (${[...new Set(options)].join("; or ")})` : ""}`;
    }
    default:
      return issue.message;
  }
}

function field(path: PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), "") || "arguments";
}

/** Whether `other`, on the same field, is a tighter bound of the same kind (z.int's safe-integer bound beside a field's own). */
function tighter(other: Issue, issue: Issue): boolean {
  if (other === issue || field(other.path) !== field(issue.path)) return false;
  if (issue.code === "too_big" && other.code === "too_big") return Number(other.maximum) < Number(issue.maximum);
  if (issue.code === "too_small" && other.code === "too_small") return Number(other.minimum) > Number(issue.minimum);
  return false;
}

/** One InvalidInput error naming the first failing field (and how many more there are). */
export function describeIssues(all: readonly Issue[], input: unknown): AigcError {
  const issues = all.filter((i) => !all.some((o) => tighter(o, i)));
  const [first, ...rest] = issues;
  if (!first) return inputError("arguments", "are not valid");
  // Two checks of one bound (a schema's min beside quietRange's) say the same thing once.
  const said = `${field(first.path)} ${words(first, input)}`;
  const more = [...new Set(rest.map((i) => `${field(i.path)} ${words(i, input)}`))].filter((m) => m !== said);
  return inputError(field(first.path), `${words(first, input)}${more.length ? `; also ${more.slice(0, 3).join("; ")}` : ""}`);
}
