/**
 * undici, loaded with the first outbound request instead of at start-up: it is a third of the
 * start-up bundle and pulls in zlib, http, tls and web streams, none of which the server needs to
 * answer `initialize` and `tools/list` (issue 16). One module load, shared by every caller.
 */
import type { Agent, Dispatcher } from "undici";

type Undici = typeof import("undici");
let loading: Promise<Undici> | undefined;

/** The undici module, imported once on first use. */
export function undici(): Promise<Undici> {
  return (loading ??= import("undici"));
}

/** A connection pool (an undici Agent) created on first use, so declaring one at module level costs nothing. */
export class LazyAgent {
  #agent: Promise<Dispatcher> | undefined;
  constructor(private readonly options: Agent.Options) {}

  dispatcher(): Promise<Dispatcher> {
    return (this.#agent ??= undici().then((u) => new u.Agent(this.options)));
  }
}
