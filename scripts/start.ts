// `npm start`: builds the app when the sources are newer than the build, then serves it on
// HOST:PORT (default 127.0.0.1:3000) with the database of DATABASE_URL, from WEB_CONCURRENCY web
// workers and one job worker (scripts/workers.ts).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  childProcessEnvironment,
  ConfigError,
  serverConfigOfEnvironment,
} from "../app/config.server";
import { checkedEnvironment } from "./run-command";
import { startWorkers } from "./workers";

// Set, not read: React and Remix read NODE_ENV themselves; the console's own code reads it
// through app/config.server.ts.
process.env.NODE_ENV ??= "production";

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (max, entry) => Math.max(max, newestMtime(join(path, entry))),
    stat.mtimeMs,
  );
}

function buildIfNeeded(): void {
  const builtAt = existsSync("build/index.js") ? statSync("build/index.js").mtimeMs : 0;
  const sourcesAt = Math.max(...["app", "db", "remix.config.js", "package.json"].map(newestMtime));
  if (builtAt >= sourcesAt) return;
  console.log("アプリをビルドしています…");
  const result = spawnSync("npx", ["remix", "build"], {
    stdio: "inherit",
    env: childProcessEnvironment({ VITE_CJS_IGNORE_WARNING: "true" }),
  });
  if (result.status !== 0) {
    console.error("build: remix build failed");
    process.exit(1);
  }
}

// Every variable is checked before the build, which takes a minute: a bad one stops the start
// with `VAR: message` (app/config.server.ts).
const env = checkedEnvironment();
try {
  serverConfigOfEnvironment({ host: env.host });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
buildIfNeeded();
// The primary stops its workers on SIGTERM/SIGINT and exits 0 once they have finished (workers.ts).
startWorkers({ port: env.port, host: env.host, webConcurrency: env.webConcurrency }).catch(
  (error: unknown) => {
    console.error(
      error instanceof ConfigError
        ? error.message
        : `start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
