import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));
// On PostgreSQL (TEST_DATABASE=postgres) the first test file asking for a seeded database builds
// its template (several seconds, test/support/database.ts) while the others wait for it.
const onPostgres = process.env.TEST_DATABASE === "postgres";
// Tests run in a shuffled order (files and the tests within them, decision 0048): TEST_SEED
// repeats a run's order; without it vitest draws one and prints it at the start and the end.
const seed = process.env.TEST_SEED ? Number(process.env.TEST_SEED) : undefined;
if (seed !== undefined && !Number.isSafeInteger(seed))
  throw new Error(`TEST_SEED: expected an integer, got "${process.env.TEST_SEED}"`);

export default defineConfig({
  root,
  resolve: { alias: { "~": `${root}app` } },
  test: {
    include: [
      "app/**/*.test.ts",
      "db/**/*.test.ts",
      "reports/**/*.test.ts",
      "scripts/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    // The PostgreSQL baseline's own checks, the cross-engine comparison and two instances on one
    // server belong to the PostgreSQL run (test/postgres-files.txt).
    exclude: [
      "test/e2e/**",
      "node_modules/**",
      ...(onPostgres
        ? []
        : [
            "test/postgres-schema.test.ts",
            "test/cross-engine.test.ts",
            "test/two-instances.test.ts",
          ]),
    ],
    environment: "node",
    testTimeout: onPostgres ? 60_000 : 20_000,
    hookTimeout: onPostgres ? 180_000 : 10_000,
    pool: "forks",
    sequence: { shuffle: true, seed },
    globalSetup: ["test/support/seed-report.ts"],
  },
});
