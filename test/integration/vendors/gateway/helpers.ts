/** What the gateway tool tests share. */
import { expect, it } from "vitest";
import { logLines, type Harness } from "../../../helpers/harness.js";

/**
 * The last test of a file: nothing the file's calls logged shows the gateway key. Every file whose
 * calls log something ends with it, as the one tools file it was split from did.
 */
export function itNeverShowsTheKey(harness: () => Harness): void {
  it("never shows the key", () => {
    expect(logLines.length, "the calls above logged nothing, so there is nothing to check").toBeGreaterThan(0);
    expect(logLines.join("\n")).not.toContain(harness().sandbox.gateway.apiKey);
  });
}
