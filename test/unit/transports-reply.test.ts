/** The HTTP transport's plain replies are written by one module (src/transports/reply.ts), not a twin per route. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIR = join(import.meta.dirname, "../../src/transports");

describe("transport replies", () => {
  it("only reply.ts writes plain or JSON replies; the routes import its helpers", () => {
    const writers = readdirSync(DIR)
      .filter((f) => f.endsWith(".ts"))
      .filter((f) => /"(text\/plain|application\/json)[";]/.test(readFileSync(join(DIR, f), "utf8")));
    expect(writers).toEqual(["reply.ts"]);
    for (const f of ["http.ts", "media-route.ts"]) expect(readFileSync(join(DIR, f), "utf8"), f).toMatch(/from "\.\/reply\.js"/);
  });
});
