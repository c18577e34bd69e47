import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // In CI a JSON report is written too, so .ci/run can print a plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results/vitest.json" }]] : ["default"],
    projects: [
      // Pure code: no server, no simulator, no sockets.
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 20_000 } },
      // In-process: the server with the SDK's client, adapters and simulators on 127.0.0.1 (no build needed).
      { test: { name: "integration", include: ["test/integration/**/*.test.ts"], testTimeout: 20_000 } },
      // The built dist/index.js spawned over stdio and HTTP (npm test builds first).
      { test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 } },
    ],
  },
});
