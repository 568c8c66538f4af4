// Several processes (issue 18 item 3): `npm start` runs a primary that prepares the database
// (migrations, demo data) once, then forks WEB_CONCURRENCY web workers sharing the listening
// port (node:cluster hands the connections out) and exactly one job worker that runs the
// scheduler and the jobs queue (month close). Web workers never run jobs; the leases in the
// database (app/jobs/) keep each job to one process also across several instances. A worker
// that dies is replaced; on SIGTERM/SIGINT the primary stops every worker and waits for them.
import cluster, { type Worker } from "node:cluster";
import { resolve } from "node:path";
import {
  environment,
  loopbackConsoleUrl,
  serverConfigOfEnvironment,
  setServerConfig,
} from "../app/config.server";
import { setDatabase } from "../app/db.server";
import { startJobRunner } from "../app/jobs/runner.server";
import { now } from "../app/lib/clock";
import { log, logText } from "../app/lib/log.server";
import { startScheduler } from "../app/scheduler.server";
import { migrateToLatest, openDatabase } from "../db/connection";
import { demoAccountsText, isSeeded, seedDemo } from "../db/demo/seed";
import { simulatorJob } from "../db/demo/simulator";
import { startServer } from "./serve";
import { stopOnSignals, waitUntil } from "./shutdown";

type Role = "web" | "jobs";
type WorkerMessage = { type: "listening"; port: number } | { type: "ready" };

/** A worker's arguments (process.argv after the script): its role, then "simulator" when the demo's simulator runs. */
const SIMULATOR_ARG = "simulator";
/** How long the primary waits for its workers to finish on shutdown before killing them. */
const STOP_GRACE_MS = 15_000;
const RESPAWN_DELAY_MS = 1_000;

export interface StartedWorkers {
  url: string;
}

/** The primary: prepares the database, forks the workers, prints the banner once all web workers listen. */
export async function startWorkers(options: {
  port: number;
  host: string;
  webConcurrency: number;
}): Promise<StartedWorkers> {
  const env = environment();
  const handle = openDatabase(env.databaseUrl);
  let seeded = false;
  try {
    await migrateToLatest(handle.db);
    if (!(await isSeeded(handle.db))) {
      console.log("空のデータベースにデモデータを投入しています…");
      await seedDemo(handle.db, now());
      seeded = true;
    }
  } finally {
    await handle.close();
  }

  // The demo's simulator sends fake detections for every active contract: only for demo data this
  // start has just loaded, or when asked for (SIMULATOR=on), never on a provider's own data.
  const simulate = env.simulator === "on" || (env.simulator === "demo" && seeded);
  const roles = new Map<Worker, Role>();
  let stopping = false;
  let workerEnv: Record<string, string> = {};
  const fork = (role: Role): Worker => {
    cluster.setupPrimary({
      exec: resolve("scripts/worker.ts"),
      args: role === "jobs" && simulate ? [role, SIMULATOR_ARG] : [role],
    });
    const worker = cluster.fork({ ...workerEnv, PORT: String(options.port), HOST: options.host });
    roles.set(worker, role);
    return worker;
  };
  cluster.on("exit", (worker, code, signal) => {
    const role = roles.get(worker);
    roles.delete(worker);
    if (stopping || !role) return;
    console.error(
      `workers: ${role === "web" ? "web" : "job"} worker ${worker.process.pid} exited (${signal ?? code}); starting another`,
    );
    setTimeout(() => {
      if (!stopping) fork(role);
    }, RESPAWN_DELAY_MS);
  });

  // Web workers first: with PORT=0 the port is known once one listens (they all share it).
  const ports = await Promise.all(
    Array.from(
      { length: options.webConcurrency },
      () =>
        new Promise<number>((resolvePort, reject) => {
          const worker = fork("web");
          worker.on("message", (m: WorkerMessage) => {
            if (m.type === "listening") resolvePort(m.port);
          });
          worker.once("exit", (code) =>
            reject(new Error(`a web worker exited with ${code} before listening`)),
          );
        }),
    ),
  );
  const port = ports[0];
  const url = `http://${options.host}:${port}`;
  // The job worker's mails link to the console: without CONSOLE_URL, to this loopback address.
  const settings = serverConfigOfEnvironment({ host: options.host });
  workerEnv = {
    PORT: String(port),
    ...(settings.consoleUrl ? {} : { CONSOLE_URL: loopbackConsoleUrl(options.host, port) }),
  };
  await new Promise<void>((ready, reject) => {
    const worker = fork("jobs");
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "ready") ready();
    });
    worker.once("exit", (code) =>
      reject(new Error(`the job worker exited with ${code} before it was ready`)),
    );
  });

  const stop = () => {
    if (stopping) return;
    stopping = true;
    const workers = [...roles.keys()];
    const killer = setTimeout(
      () => workers.forEach((w) => w.process.kill("SIGKILL")),
      STOP_GRACE_MS,
    );
    void Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((done) => {
            if (w.isDead()) return done();
            w.once("exit", () => done());
            w.process.kill("SIGTERM");
          }),
      ),
    ).then(() => {
      clearTimeout(killer);
      process.exit(0);
    });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  log("info", "started", {
    url,
    database: handle.path,
    seeded,
    webWorkers: options.webConcurrency,
    scheduler: env.scheduler,
    simulator: env.scheduler && simulate,
  });
  console.log(`データベース: ${handle.path}${seeded ? "（デモデータを投入しました）" : ""}`);
  console.log(
    `ウェブワーカー ${options.webConcurrency} 個とジョブワーカー 1 個で動いています（WEB_CONCURRENCY）`,
  );
  console.log(`管理コンソールを起動しました: ${url}`);
  console.log(demoAccountsText());
  return { url };
}

/** A forked worker's main: serves requests (web) or runs the scheduler and the jobs queue (jobs). */
export async function runWorkerProcess(args: readonly string[]): Promise<void> {
  const [role, ...flags] = args;
  const env = environment();
  let stop: () => Promise<void>;
  if (role === "web") {
    const server = await startServer({ port: env.port, host: env.host });
    stop = () => server.close();
    process.send?.({
      type: "listening",
      port: Number(new URL(server.url).port),
    } satisfies WorkerMessage);
  } else if (role === "jobs") {
    const settings = serverConfigOfEnvironment({ host: env.host });
    setServerConfig({
      consoleUrl: settings.consoleUrl ?? "",
      trustProxy: settings.trustProxy,
      apiRateLimit: settings.apiRateLimit,
      webhookAllowHosts: settings.webhookAllowHosts,
    });
    const handle = openDatabase(env.databaseUrl);
    setDatabase(handle);
    // The scheduler's daily jobs and monthly reports run once now to catch up, then on schedule.
    const extraJobs = flags.includes(SIMULATOR_ARG) ? [simulatorJob(handle.db)] : [];
    const scheduler = env.scheduler
      ? startScheduler(handle.db, logText, { smtpUrl: env.smtpUrl, extraJobs })
      : null;
    const runner = startJobRunner(handle.db);
    stop = async () => {
      scheduler?.stop();
      // A month close stops after its current batch and is queued again: the next job worker resumes it.
      await runner.stop();
      // The start-up runs or a scheduled job may still be writing: the database closes after them (bounded).
      if (scheduler) await waitUntil(() => !scheduler.busy(), env.shutdownTimeoutMs);
      await handle.close();
    };
    process.send?.({ type: "ready" } satisfies WorkerMessage);
  } else {
    throw new Error(`worker: expected the role web or jobs, got "${role}"`);
  }
  stopOnSignals(stop);
}
