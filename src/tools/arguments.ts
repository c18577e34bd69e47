/** The limits on a call's raw arguments that hold before any schema sees them. */
import { z } from "zod";
import { inputError } from "../errors.js";
import { coerceArguments } from "./coerce.js";
import { describeIssues } from "./issues.js";
import { nearest } from "../nearest.js";
import { MAX_ARGUMENT_DEPTH, MAX_ARGUMENT_VALUES } from "./argument-limits.js";
import type { ToolDef } from "./define.js";

export { MAX_ARGUMENT_DEPTH, MAX_ARGUMENT_VALUES };

/**
 * What is wrong with a call's raw arguments before the schema sees them: nesting deeper than
 * MAX_ARGUMENT_DEPTH or more than MAX_ARGUMENT_VALUES values (checked with an explicit stack, so
 * no input can overflow ours), or a name the tool does not take (zod would silently drop it).
 */
export function argumentProblem(def: ToolDef, args: unknown): Error | undefined {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return undefined;
  const names = Object.keys(def.input);
  for (const key of Object.keys(args)) {
    if (names.includes(key)) continue;
    const near = nearest(key, names);
    return inputError(
      key.slice(0, 64),
      `is not an argument of ${def.name}${near ? `; did you mean ${near}?` : ""} (its arguments: ${names.join(", ")})`,
    );
  }
  const stack: Array<{ value: unknown; path: string; depth: number }> = Object.entries(args as Record<string, unknown>).map(
    ([k, value]) => ({
      value,
      path: k,
      depth: 1,
    }),
  );
  let count = stack.length;
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_ARGUMENT_DEPTH)
      return inputError(
        path.split(/[.[]/)[0]!,
        `is nested more than ${MAX_ARGUMENT_DEPTH} levels deep (at ${path.slice(0, 120)}…); flatten it`,
      );
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => [`.${k}`, v] as const);
    count += entries.length;
    if (count > MAX_ARGUMENT_VALUES)
      return inputError(path.split(/[.[]/)[0]!, `holds more than ${MAX_ARGUMENT_VALUES} values in all; send less data`);
    for (const [k, v] of entries)
      if (v !== null && typeof v === "object") stack.push({ value: v, path: path.length < 200 ? path + k : path, depth: depth + 1 });
  }
  return undefined;
}

const objects = new WeakMap<z.ZodRawShape, z.ZodObject>();
/**
 * A shape's one zod object, built once: zod compiles an object's parser on its first use, and the
 * tool list converts each object once (a tool registers these for its input and output).
 */
export function objectOf(shape: z.ZodRawShape): z.ZodObject {
  let o = objects.get(shape);
  if (!o) objects.set(shape, (o = z.object(shape)));
  return o;
}

/**
 * A call's arguments as its tool reads them: the raw limits (argumentProblem), strings standing for
 * numbers, booleans, lists and objects made those (as LLM clients and Dify send them), the limits
 * again (a list or object sent as a JSON string counts too), then the schema, whose failures are
 * said in plain words. Returns the coerced arguments and the parsed ones; throws AigcError
 * (InvalidInput) naming the field.
 */
export function checkArguments(def: ToolDef, args: unknown): { coerced: unknown; parsed: Record<string, unknown> } {
  const problem = argumentProblem(def, args);
  if (problem) throw problem;
  const coerced = coerceArguments(def.input, args);
  const parsedProblem = argumentProblem(def, coerced);
  if (parsedProblem) throw parsedProblem;
  const parsed = objectOf(def.input).safeParse(coerced ?? {});
  if (!parsed.success) throw describeIssues(parsed.error.issues, coerced);
  return { coerced, parsed: parsed.data };
}
