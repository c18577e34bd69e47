/** `~` and `~/…` as the user's home folder; kept apart from config.ts so the entry (src/early-answers.ts) resolves paths the same way without loading zod. */
import { homedir } from "node:os";
import { resolve } from "node:path";

/** `p` with a leading `~` or `~/` replaced by the home folder; any other path unchanged. */
export function expandHome(p: string): string {
  return p === "~" ? homedir() : p.startsWith("~/") ? resolve(homedir(), p.slice(2)) : p;
}
