// Several processes (issue 18 item 3): `npm start` runs a primary that prepares the database
// (migrations, demo data) once, then forks WEB_CONCURRENCY web workers sharing the listening
// port (node:cluster hands the connections out) and exactly one job worker that runs the
// scheduler and the jobs queue (month close). Web workers never run jobs; the leases in the
// database (app/jobs/) keep each job to one process also across several instances. A worker
// that dies is replaced; on SIGTERM/SIGINT the primary stops every worker and waits for them.
import cluster, { type Worker } from "node:cluster";
import { resolve } from "node:path";
import { loopbackConsoleUrl, readServerConfig, setServerConfig } from "../app/config.server";
import { setDatabase } from "../app/db.server";
import { startJobRunner } from "../app/jobs/runner.server";
import { now } from "../app/lib/clock";
import { startScheduler } from "../app/scheduler.server";
import { migrateToLatest, openDatabase } from "../db/connection";
import { demoAccountsText, isSeeded, seedDemo } from "../db/seed";
import { startServer } from "./serve";

type Role = "web" | "jobs";
type WorkerMessage = { type: "listening"; port: number } | { type: "ready" };

const ROLE_ENV = "CONSOLE_WORKER_ROLE";
/** How long the primary waits for its workers to finish on shutdown before killing them. */
const STOP_GRACE_MS = 15_000;
const RESPAWN_DELAY_MS = 1_000;

export interface StartedWorkers {
  url: string;
}

/** The primary: prepares the database, forks the workers, prints the banner once all web workers listen. */
export async function startWorkers(options: { port: number; host: string; webConcurrency: number }): Promise<StartedWorkers> {
  const handle = openDatabase();
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

  cluster.setupPrimary({ exec: resolve("scripts/worker.ts") });
  const roles = new Map<Worker, Role>();
  let stopping = false;
  let workerEnv: Record<string, string> = {};
  const fork = (role: Role): Worker => {
    const worker = cluster.fork({ ...workerEnv, [ROLE_ENV]: role, PORT: String(options.port), HOST: options.host });
    roles.set(worker, role);
    return worker;
  };
  cluster.on("exit", (worker, code, signal) => {
    const role = roles.get(worker);
    roles.delete(worker);
    if (stopping || !role) return;
    console.error(`workers: ${role === "web" ? "web" : "job"} worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(() => { if (!stopping) fork(role); }, RESPAWN_DELAY_MS);
  });

  // Web workers first: with PORT=0 the port is known once one listens (they all share it).
  const ports = await Promise.all(Array.from({ length: options.webConcurrency }, () => new Promise<number>((resolvePort, reject) => {
    const worker = fork("web");
    worker.on("message", (m: WorkerMessage) => { if (m.type === "listening") resolvePort(m.port); });
    worker.once("exit", (code) => reject(new Error(`a web worker exited with ${code} before listening`)));
  })));
  const port = ports[0];
  const url = `http://${options.host}:${port}`;
  // The job worker's mails link to the console: without CONSOLE_URL, to this loopback address.
  const settings = readServerConfig(process.env, { host: options.host });
  workerEnv = { PORT: String(port), ...(settings.consoleUrl ? {} : { CONSOLE_URL: loopbackConsoleUrl(options.host, port) }) };
  await new Promise<void>((ready, reject) => {
    const worker = fork("jobs");
    worker.on("message", (m: WorkerMessage) => { if (m.type === "ready") ready(); });
    worker.once("exit", (code) => reject(new Error(`the job worker exited with ${code} before it was ready`)));
  });

  const stop = () => {
    if (stopping) return;
    stopping = true;
    const workers = [...roles.keys()];
    const killer = setTimeout(() => workers.forEach((w) => w.process.kill("SIGKILL")), STOP_GRACE_MS);
    void Promise.all(workers.map((w) => new Promise<void>((done) => {
      if (w.isDead()) return done();
      w.once("exit", () => done());
      w.process.kill("SIGTERM");
    }))).then(() => {
      clearTimeout(killer);
      process.exit(0);
    });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  console.log(`データベース: ${handle.path}${seeded ? "（デモデータを投入しました）" : ""}`);
  console.log(`ウェブワーカー ${options.webConcurrency} 個とジョブワーカー 1 個で動いています（WEB_CONCURRENCY）`);
  console.log(`管理コンソールを起動しました: ${url}`);
  console.log(demoAccountsText());
  return { url };
}

/** A forked worker's main: serves requests (web) or runs the scheduler and the jobs queue (jobs). */
export async function runWorkerProcess(): Promise<void> {
  const role = process.env[ROLE_ENV] as Role | undefined;
  const host = process.env.HOST ?? "127.0.0.1";
  let stop: () => Promise<void>;
  if (role === "web") {
    const server = await startServer({ port: Number(process.env.PORT ?? 0), host, webWorker: true });
    stop = () => server.close();
    process.send?.({ type: "listening", port: Number(new URL(server.url).port) } satisfies WorkerMessage);
  } else if (role === "jobs") {
    const settings = readServerConfig(process.env, { host });
    setServerConfig({ consoleUrl: settings.consoleUrl ?? "", trustProxy: settings.trustProxy, apiRateLimit: settings.apiRateLimit, webhookAllowHosts: settings.webhookAllowHosts });
    const handle = openDatabase();
    setDatabase(handle);
    // The scheduler's daily jobs and monthly reports run once now to catch up, then on schedule.
    const scheduler = process.env.SCHEDULER === "off" ? null : startScheduler(handle.db);
    const runner = startJobRunner(handle.db);
    stop = async () => {
      scheduler?.stop();
      // A month close stops after its current batch and is queued again: the next job worker resumes it.
      await runner.stop();
      await scheduler?.caughtUp;
      await handle.close();
    };
    process.send?.({ type: "ready" } satisfies WorkerMessage);
  } else {
    throw new Error(`${ROLE_ENV}: expected web or jobs, got "${role}"`);
  }
  let stopped = false;
  const onSignal = () => {
    if (stopped) return;
    stopped = true;
    stop().then(() => process.exit(0), (error: unknown) => {
      console.error(`worker: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
