// `npm start`: builds the app when the sources are newer than the build, then serves it on
// HOST:PORT (default 127.0.0.1:3000) with the database of DATABASE_URL, from WEB_CONCURRENCY web
// workers and one job worker (scripts/workers.ts).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { ConfigError, parseWebConcurrency, readServerConfig } from "../app/config.server";
import { startWorkers } from "./workers";

process.env.NODE_ENV ??= "production";

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, entry) => Math.max(max, newestMtime(join(path, entry))), stat.mtimeMs);
}

function buildIfNeeded(): void {
  const builtAt = existsSync("build/index.js") ? statSync("build/index.js").mtimeMs : 0;
  const sourcesAt = Math.max(...["app", "db", "remix.config.js", "package.json"].map(newestMtime));
  if (builtAt >= sourcesAt) return;
  console.log("アプリをビルドしています…");
  const result = spawnSync("npx", ["remix", "build"], { stdio: "inherit", env: { ...process.env, VITE_CJS_IGNORE_WARNING: "true" } });
  if (result.status !== 0) {
    console.error("build: remix build failed");
    process.exit(1);
  }
}

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT: not a port number: "${process.env.PORT}"`);
  process.exit(1);
}
// The settings are checked before the build, which takes a minute.
let webConcurrency: number;
try {
  readServerConfig(process.env, { host });
  webConcurrency = parseWebConcurrency(process.env.WEB_CONCURRENCY, availableParallelism());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
buildIfNeeded();
startWorkers({ port, host, webConcurrency }).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
