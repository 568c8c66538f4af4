// The entry of a worker process forked by scripts/workers.ts (web or job worker).
import { runWorkerProcess } from "./workers";

process.env.NODE_ENV ??= "production";
runWorkerProcess(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
