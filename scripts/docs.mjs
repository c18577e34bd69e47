// `npm run docs`: rewrites README.md's generated blocks (tool and environment tables) from the code,
// by running the README test with UPDATE_DOCS=1. Plain Node, so it works the same on every platform.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
const run = spawnSync(process.execPath, [vitest, "run", "--project", "integration", "test/integration/core/readme.test.ts"], {
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  env: { ...process.env, UPDATE_DOCS: "1" },
  stdio: "inherit",
});
process.exitCode = run.status ?? 1;
