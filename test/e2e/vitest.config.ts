import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("../..", import.meta.url));

// Browser tests: each file starts the real server (npm start's code path) on its own database
// file and port, and drives Debian's Chromium. One file at a time: the machine has two cores.
export default defineConfig({
  root,
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 90_000,
    fileParallelism: false,
    pool: "forks",
  },
});
