/**
 * Model catalogs: what each vendor's models do, as data with provenance (a source URL and date
 * per entry). The vendor is the authority on its models, so a catalog refuses nothing by itself
 * except models it marks retired. Otherwise it documents capabilities (tool descriptions,
 * list_models), explains a vendor refusal in terms of them, and advises on successful calls;
 * `AIGC_MCP_MODEL_CHECKS=strict` turns its advice into local refusals. No MCP types here.
 */
import { AigcError, inputError } from "../../errors.js";
import type { Price } from "./price.js";
import { mergeModels, type ModelOverride } from "./merge-models.js";

export type ModelStatus = "active" | "retiring" | "retired";

export interface Source {
  url: string;
  /** When the fact was read from the source, YYYY-MM-DD. */
  date: string;
}

/**
 * What a model accepts for one tool argument (the capability's key is the argument's name):
 * `true`/`false` whether it takes the argument at all, a number = at most that many items
 * (list arguments), a list = one of these values, `{min, max}` = a number in that range,
 * `"required"` = the model needs the argument (any value).
 */
export type Capability = boolean | number | Array<string | number> | { min: number; max: number } | "required";

export type Capabilities = Record<string, Capability>;

export interface CatalogModel {
  id: string;
  label: string;
  /** Other ids the vendor accepts for the same model (e.g. a date-less alias). */
  aliases?: string[];
  /** The vendor endpoint families that serve it (each vendor names its own, e.g. "seedance", "videos/text2video"). */
  endpoints: string[];
  status: ModelStatus;
  /** For `retiring`: the announced shutdown date; for `retired`: the date it stopped. YYYY-MM-DD. */
  statusDate?: string;
  /** The model to use instead, for retiring and retired models. */
  successor?: string;
  /**
   * Endpoint families on which this id is retired while it stays current on its others (a vendor
   * reusing one id for a video and an image model): family → the date it stopped and the successor.
   */
  retiredOn?: Record<string, { statusDate?: string; successor?: string }>;
  capabilities: Capabilities;
  /** Capabilities that differ on one endpoint family, overriding `capabilities` there. */
  byEndpoint?: Record<string, Capabilities>;
  sources: Source[];
  /** Where sources conflict, which reading the entry takes and why. */
  note?: string;
  /** What the vendor charges for it (price.ts), on every endpoint family; absent = unknown. */
  price?: Price;
  /** Prices that differ on one endpoint family (a model id that makes videos and images). */
  priceByEndpoint?: Record<string, Price>;
}

/** One piece of advice: the argument it concerns and a sentence for the caller. */
export interface Advice {
  field: string;
  message: string;
}

export type ModelChecks = "advise" | "strict";

/** Where a call's model came from when the caller named none: a default, and the variable that sets it (if any). */
export interface DefaultModel {
  variable?: string;
  /** False when the tool has no argument to name a model (the variable is then the only way). */
  argument: boolean;
}

function describeCapability(c: Capability): string {
  if (c === "required") return "required";
  if (typeof c === "boolean") return c ? "yes" : "no";
  if (typeof c === "number") return `at most ${c}`;
  if (Array.isArray(c)) return c.map(String).join(", ");
  return c.min === c.max ? `${c.min}` : `${c.min}-${c.max}`;
}

/** Whether `value` fits capability `c`; undefined values always fit, except a required argument. */
export function fits(c: Capability, value: unknown): boolean {
  if (c === "required") return value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);
  if (value === undefined || value === null) return true;
  if (typeof c === "boolean") return c || value === false || (Array.isArray(value) && value.length === 0);
  if (typeof c === "number") return !Array.isArray(value) || value.length <= c;
  if (Array.isArray(c)) return (typeof value === "string" || typeof value === "number") && c.some((v) => String(v) === String(value));
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && n >= c.min && n <= c.max;
}

function advice(m: CatalogModel, field: string, c: Capability, value: unknown): Advice {
  const name = `${m.label} (${m.id})`;
  if (c === "required") return { field, message: `${name} needs ${field}` };
  if (typeof c === "boolean") return { field, message: `${name} does not take ${field}` };
  if (typeof c === "number") {
    return { field, message: c === 0 ? `${name} does not take ${field}` : `${name} takes at most ${c} ${field}` };
  }
  return { field, message: `${name} takes ${field} ${describeCapability(c)}; got ${JSON.stringify(value)}` };
}

/** One vendor's catalog: its models, and the lookups and advice every tool of that vendor uses. */
export class Catalog {
  constructor(
    readonly vendor: string,
    readonly models: readonly CatalogModel[],
  ) {}

  /** The model with this id or alias. */
  find(id: string): CatalogModel | undefined {
    return this.models.find((m) => m.id === id || m.aliases?.includes(id));
  }

  /** Models serving an endpoint family, retired ones last. */
  forEndpoint(endpoint: string): CatalogModel[] {
    const rank = { active: 0, retiring: 1, retired: 2 } as const;
    return this.models.filter((m) => m.endpoints.includes(endpoint)).sort((a, b) => rank[a.status] - rank[b.status]);
  }

  /** Capabilities of a model on one endpoint family. */
  capabilities(m: CatalogModel, endpoint: string): Capabilities {
    return { ...m.capabilities, ...m.byEndpoint?.[endpoint] };
  }

  /**
   * The largest value a model's numeric capability allows (a range's max, a list's largest), on
   * `endpoint` when given, e.g. its longest duration in seconds. Undefined for a model or field the
   * catalog does not know.
   */
  largest(id: string, field: string, endpoint?: string): number | undefined {
    const m = this.find(id);
    const c = m && (endpoint === undefined ? m.capabilities : this.capabilities(m, endpoint))[field];
    if (Array.isArray(c)) return Math.max(...c.map(Number));
    return c && typeof c === "object" ? c.max : undefined;
  }

  /**
   * Refuses a retired model (on `endpoint`, when given) before any network call, naming the date and
   * the successor and the next step: for a model the caller named, the model to use instead; for a
   * default (`from`), the variable to change or the model to pass. Never substitutes a model: price
   * and quality differ. Throws AigcError (invalid_input, ModelRetired).
   */
  assertNotRetired(id: string, field = "model", endpoint?: string, from?: DefaultModel): void {
    const found = this.find(id);
    const m = found?.status === "retired" ? found : endpoint !== undefined ? found?.retiredOn?.[endpoint] : undefined;
    if (!m) return;
    const when = m.statusDate ? ` on ${m.statusDate}` : "";
    const next = m.successor ?? "a current model (list_models shows them)";
    const quoted = m.successor ? JSON.stringify(m.successor) : "a current model";
    const pass = from?.argument ? `, or pass ${field}: ${quoted} in the call` : "";
    const message = !from
      ? `${field}: ${id} was retired by the vendor${when}; use ${next} instead`
      : from.variable
        ? `${field}: ${id}, the default from ${from.variable}${from.argument ? ` (no ${field} was given)` : ""}, was retired by the vendor${when}; set ${from.variable} to ${next}${pass}`
        : `${field}: ${id}, the built-in default (no ${field} was given), was retired by the vendor${when}; update aigc-mcp${pass}`;
    throw new AigcError({
      category: "invalid_input",
      code: "ModelRetired",
      vendor: this.vendor,
      message,
      hint:
        found?.status === "retired"
          ? "If the vendor still serves it for your account, mark it active in AIGC_MCP_MODELS_FILE."
          : "If the vendor still serves it there for your account, remove that endpoint from its retiredOn in AIGC_MCP_MODELS_FILE.",
    });
  }

  /** Advice for the arguments a model's documented capabilities do not cover (empty for unknown models). */
  advise(id: string, endpoint: string, args: Record<string, unknown>): Advice[] {
    const m = this.find(id);
    if (!m) return [];
    const out: Advice[] = [];
    if (!m.endpoints.includes(endpoint)) {
      out.push({ field: "model", message: `${m.label} (${m.id}) is not listed for this endpoint (${endpoint})` });
    }
    for (const [field, c] of Object.entries(this.capabilities(m, endpoint))) {
      if (!fits(c, args[field])) out.push(advice(m, field, c, args[field]));
    }
    if (m.status === "retiring") {
      out.push({
        field: "model",
        message: `${m.id} is being retired${m.statusDate ? ` on ${m.statusDate}` : ""}${m.successor ? `; move to ${m.successor}` : ""}`,
      });
    }
    return out;
  }

  /**
   * Applies the check mode: `strict` refuses the first piece of advice as an input error; `advise`
   * returns the advice as warning lines for the result. Retired models are refused in both modes.
   */
  check(id: string, endpoint: string, args: Record<string, unknown>, mode: ModelChecks, from?: DefaultModel): string[] {
    this.assertNotRetired(id, "model", endpoint, from);
    const found = this.advise(id, endpoint, args);
    const first = found[0];
    if (mode === "strict" && first) {
      throw inputError(first.field, `${first.message} (AIGC_MCP_MODEL_CHECKS=strict refuses this before calling the vendor)`);
    }
    return found.map((a) => a.message);
  }

  /** The active models whose documented capability accepts `value` for `field` on an endpoint. */
  modelsAccepting(endpoint: string, field: string, value: unknown): CatalogModel[] {
    return this.forEndpoint(endpoint).filter((m) => {
      if (m.status === "retired") return false;
      const c = this.capabilities(m, endpoint)[field];
      return c !== undefined && fits(c, value);
    });
  }

  /**
   * Which models take `args[field]`, for a refusal's hint: " (A, B take it)" naming those that take
   * the rest of the call too; when none does, the others the call's other arguments rule out, and
   * what to leave out, so following the hint does not lead to the next refusal. "" when none takes it.
   */
  private takers(endpoint: string, field: string, args: Record<string, unknown>): string {
    // Current models first: a retiring one is the last to suggest.
    const takers = this.modelsAccepting(endpoint, field, args[field]).sort(
      (a, b) => Number(a.status !== "active") - Number(b.status !== "active"),
    );
    // A field the call sets that other models document but this one does not is no known fit either.
    const documented = new Set(this.forEndpoint(endpoint).flatMap((m) => Object.keys(this.capabilities(m, endpoint))));
    const misfits = (m: CatalogModel) => {
      const caps = this.capabilities(m, endpoint);
      return [...documented].filter((f) => f !== field && args[f] !== undefined && (caps[f] === undefined || !fits(caps[f], args[f])));
    };
    const whole = takers.filter((m) => !misfits(m).length);
    const ids = (ms: CatalogModel[]) => `${ms.map((m) => m.id).join(", ")} ${ms.length === 1 ? "takes" : "take"} it`;
    if (whole.length || !takers.length) return whole.length ? ` (${ids(whole)})` : "";
    const others = [...new Set(takers.flatMap(misfits))];
    return ` (${ids(takers)}, but not with ${others.join(" or ")} as this call has it: no catalogued model takes the call as it is, so leave out ${field} or change ${others.join(" or ")})`;
  }

  /**
   * Adds what the catalog knows to a vendor refusal: for a parameter error, the model's documented
   * capability and which models take the value; for an unknown model the catalog lists as current,
   * that the catalog may be stale. Returns the same error, its hint extended.
   */
  explain(err: unknown, id: string, endpoint: string, args: Record<string, unknown>): unknown {
    // A web page (a wrong base URL, a proxy's page) is no answer about the model or its arguments.
    if (!(err instanceof AigcError) || err.info.webPage) return err;
    const m = this.find(id);
    const notes: string[] = [];
    if (err.category === "invalid_input") {
      for (const a of this.advise(id, endpoint, args)) notes.push(`${a.message}${this.takers(endpoint, a.field, args)}.`);
    } else if ((err.category === "not_found" || err.category === "permission") && m && m.status !== "retired" && isFromFileOnly(m)) {
      notes.push(
        `${m.id} comes from your models file (${m.sources[0]!.url.slice("file://".length)}), not from aigc-mcp's catalog: check the id for a typo, and that the vendor has enabled the model for your account.`,
      );
    } else if ((err.category === "not_found" || err.category === "permission") && m && m.status !== "retired") {
      const dated = m.sources
        .map((s) => s.date)
        .sort()
        .at(-1);
      notes.push(
        `aigc-mcp's catalog lists ${m.id} as ${m.status}${dated ? ` (as of ${dated})` : ""}, so the catalog may be stale: check the model in the vendor console, and if it was retired mark it so in AIGC_MCP_MODELS_FILE (or pass another model).`,
      );
    }
    if (notes.length) err.info.hint = [err.info.hint, ...notes].filter(Boolean).join(" ");
    return err;
  }

  /** A copy with the entries of a models file merged in (see `mergeModels`). */
  merged(overrides: readonly ModelOverride[] | undefined, source: Source): Catalog {
    return overrides?.length ? new Catalog(this.vendor, mergeModels(this.models, overrides, source)) : this;
  }

  /** "durations 3-15; resolutions 720p, 1080p" for one model on one endpoint. */
  summary(m: CatalogModel, endpoint: string): string {
    return Object.entries(this.capabilities(m, endpoint))
      .map(([k, c]) => `${k}: ${describeCapability(c)}`)
      .join("; ");
  }
}

/** True for a model only a user's models file describes (every source is that file). */
function isFromFileOnly(m: CatalogModel): boolean {
  return m.sources.length > 0 && m.sources.every((s) => s.url.startsWith("file://"));
}
