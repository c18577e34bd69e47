import { createHash } from "node:crypto";
import type { Worker } from "node:worker_threads";
import { inputError } from "../../errors.js";

/**
 * The caller's `json_schema.schema` is untrusted code in all but name: Ajv compiles it into a
 * function and its `pattern`s are regular expressions. Compiling a schema with a few hundred
 * properties takes hundreds of milliseconds and a backtracking pattern like `^(a+)+$` doubles its
 * time per character, so none of it runs on the main thread (one call used to freeze every session
 * and job for seconds). A worker compiles and validates with a deadline; patterns run on re2js
 * (linear time, so a pathological pattern answers correctly instead of hitting the deadline);
 * compiled validators are cached in the worker by the schema's hash; size and depth are capped
 * before anything is sent to the worker.
 */
export const SCHEMA_MAX_BYTES = 128 * 1024;
export const SCHEMA_MAX_DEPTH = 32;
/** How long the worker may take to compile a schema or check an answer before the call fails. */
export const SCHEMA_DEADLINE_MS = 5000;
const CACHE_SIZE = 64;
const FIELD = "json_schema.schema";

export interface SchemaCheck {
  valid: boolean;
  errorMessage?: string;
}
export type SchemaValidator = (data: unknown) => Promise<SchemaCheck>;

/** Refuses a schema nested deeper than SCHEMA_MAX_DEPTH or over SCHEMA_MAX_BYTES as JSON; returns that JSON. */
export function checkSchemaLimits(schema: Record<string, unknown>): string {
  checkDepth(schema);
  const json = JSON.stringify(schema);
  if (Buffer.byteLength(json) > SCHEMA_MAX_BYTES)
    throw inputError(FIELD, `is ${Buffer.byteLength(json)} bytes as JSON; the limit is ${SCHEMA_MAX_BYTES} bytes (simplify the schema)`);
  return json;
}

/**
 * Checks the caps, compiles the schema in the worker and returns a validator bound to it. Each
 * compile and check fails `deadlineMs` after it is sent (SCHEMA_DEADLINE_MS; tests give less).
 */
export async function compileSchema(schema: Record<string, unknown>, deadlineMs = SCHEMA_DEADLINE_MS): Promise<SchemaValidator> {
  const json = checkSchemaLimits(schema);
  const hash = createHash("sha256").update(json).digest("hex");
  const ask = (req: Request) => new Promise<Answer>((settle) => send(req, deadlineMs, settle));
  const compiled = await ask({ op: "compile", hash, json });
  if (compiled.error !== undefined) throw inputError(FIELD, `is not a valid JSON Schema: ${compiled.error}`);
  return async (data) => {
    const answer = await ask({ op: "validate", hash, json, data: JSON.stringify(data) });
    if (answer.error !== undefined) throw inputError(FIELD, `could not be checked: ${answer.error}`);
    return { valid: answer.valid === true, errorMessage: answer.errorMessage };
  };
}

/** Iterative, so a schema nested 10 000 deep cannot overflow the stack. */
function checkDepth(schema: unknown): void {
  const stack: [unknown, number][] = [[schema, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth > SCHEMA_MAX_DEPTH)
      throw inputError(FIELD, `nests objects and arrays more than ${SCHEMA_MAX_DEPTH} levels deep (flatten the schema)`);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
}

interface Request {
  op: "compile" | "validate";
  hash: string;
  json: string;
  data?: string;
}
interface Answer {
  error?: string;
  valid?: boolean;
  errorMessage?: string;
}

// Plain CommonJS so the same worker runs from dist/ and from the TypeScript sources under the tests;
// modules resolve from this file's location, as the server's own imports do.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const load = require("node:module").createRequire(workerData.base);
const { Ajv } = load("ajv");
const addFormats = load("ajv-formats");
const { RE2JS } = load("re2js");
const regExp = (pattern, flags) => {
  const re = RE2JS.compile(pattern, flags.includes("i") ? RE2JS.CASE_INSENSITIVE : 0);
  return { test: (s) => re.test(s) };
};
regExp.code = "re2";
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, code: { regExp } });
(addFormats.default || addFormats)(ajv);
const cache = new Map();
function validator(hash, json) {
  let entry = cache.get(hash);
  if (entry) { cache.delete(hash); cache.set(hash, entry); return entry.validate; }
  const schema = JSON.parse(json);
  entry = { schema, validate: ajv.compile(schema) };
  cache.set(hash, entry);
  if (cache.size > ${CACHE_SIZE}) {
    const [oldest, old] = cache.entries().next().value;
    cache.delete(oldest);
    ajv.removeSchema(old.schema);
  }
  return entry.validate;
}
parentPort.on("message", ({ id, op, hash, json, data }) => {
  try {
    const validate = validator(hash, json);
    if (op === "compile") return parentPort.postMessage({ id });
    const valid = validate(JSON.parse(data));
    parentPort.postMessage({ id, valid, errorMessage: valid ? undefined : ajv.errorsText(validate.errors) });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
`;

interface Pending {
  req: Request;
  /** When it was sent to this worker (ms). */
  sentAt: number;
  deadlineMs: number;
  timer: NodeJS.Timeout;
  settle: (answer: Answer) => void;
}
interface Checker {
  worker: Worker;
  pending: Map<number, Pending>;
}
/**
 * Workers at most: a second starts only while the first is busy, so one slow schema does not hold
 * up other sessions' checks (they would wait up to its deadline behind it).
 */
const MAX_CHECKERS = 2;
const checkers: Checker[] = [];
let nextId = 0;

/** When the oldest request `c` holds was sent: the one it is working on (requests answer in order). */
const busySince = (c: Checker): number => c.pending.values().next().value?.sentAt ?? Infinity;

/**
 * An idle worker, else a new one while under MAX_CHECKERS, else the one busy on its current request
 * for the shortest time: one stuck on a slow schema gets no more (a shorter queue would not say so).
 */
function getChecker(): Checker {
  const idle = checkers.find((c) => c.pending.size === 0);
  if (idle) return idle;
  if (checkers.length >= MAX_CHECKERS) return checkers.reduce((a, b) => (busySince(b) > busySince(a) ? b : a));
  // node:worker_threads on first use, not at every start (issue 16)
  const { Worker } = process.getBuiltinModule("node:worker_threads");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { base: import.meta.url } });
  worker.unref();
  const checker: Checker = { worker, pending: new Map() };
  worker.on("message", (msg: Answer & { id: number }) => {
    checker.pending.get(msg.id)?.settle(msg);
    checker.pending.delete(msg.id);
  });
  const fail = (message: string) => {
    retire(checker);
    for (const p of checker.pending.values()) p.settle({ error: message });
    checker.pending.clear();
  };
  worker.on("error", (err) => fail(err.message));
  worker.on("exit", () => fail("the schema checker stopped"));
  checkers.push(checker);
  return checker;
}

/** Takes `checker` out of use (the next request goes to another worker, or starts one). */
function retire(checker: Checker): void {
  const i = checkers.indexOf(checker);
  if (i >= 0) checkers.splice(i, 1);
}

/** Sends `req` to the worker; `settle` gets its answer, or an error past `deadlineMs`. */
function send(req: Request, deadlineMs: number, settle: (answer: Answer) => void): void {
  const checker = getChecker();
  const id = nextId++;
  const timer = setTimeout(() => {
    // A runaway compile or check: stop that worker. The requests queued behind it did nothing
    // wrong: they go to a fresh worker, with their whole deadline.
    checker.pending.delete(id);
    retire(checker);
    const queued = [...checker.pending.values()];
    checker.pending.clear();
    void checker.worker.terminate();
    for (const p of queued) {
      clearTimeout(p.timer);
      send(p.req, p.deadlineMs, p.settle);
    }
    settle({ error: `took longer than ${deadlineMs / 1000} s (simplify the schema)` });
  }, deadlineMs);
  timer.unref();
  const done = (answer: Answer) => {
    clearTimeout(timer);
    settle(answer);
  };
  checker.pending.set(id, { req, sentAt: Date.now(), deadlineMs, timer, settle: done });
  checker.worker.postMessage({ id, ...req });
}
