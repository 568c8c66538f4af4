// The HTTP server: migrates and seeds the database, then serves the built Remix app with the
// protections every request needs (scripts/edge.ts: client address, same-origin POSTs, body
// limits, security headers).
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { loopbackConsoleUrl, readServerConfig, setServerConfig } from "../app/config.server";
import { withResponseCookies } from "../app/auth/response-cookies.server";
import { setDatabase } from "../app/db.server";
import { startScheduler } from "../app/scheduler.server";
import { now } from "../app/lib/clock";
import { migrateToLatest, openDatabase } from "../db/connection";
import { demoAccountsText, isSeeded, seedDemo } from "../db/seed";
import { boundedBody, protections, remixHandler } from "./edge";

const BUILD_PATH = resolve("build/index.js");

export { isCrossOriginRequest } from "./edge";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Throws a ConfigError (its message starts with the variable's name) before touching anything. */
export async function startServer(options: {
  port: number;
  host: string;
  env?: Record<string, string | undefined>;
  /**
   * A web worker of scripts/workers.ts: no scheduler (the job worker runs it, issue 18 item 3)
   * and no banner (the primary prints it once every worker listens).
   */
  webWorker?: boolean;
}): Promise<RunningServer> {
  const settings = readServerConfig(options.env ?? process.env, { host: options.host });
  if (!existsSync(BUILD_PATH)) throw new Error(`${BUILD_PATH}: no build; run "npm run build" first`);
  const handle = openDatabase();
  await migrateToLatest(handle.db);
  let seeded = false;
  if (!(await isSeeded(handle.db))) {
    console.log("空のデータベースにデモデータを投入しています…");
    await seedDemo(handle.db, now());
    seeded = true;
  }
  setDatabase(handle);

  const build = (await import(pathToFileURL(BUILD_PATH).href)) as ServerBuild;
  // The app reads the settings at each request; a loopback server without CONSOLE_URL gets its
  // own address once the port is known (PORT may be 0).
  const config = { consoleUrl: settings.consoleUrl ?? "", trustProxy: settings.trustProxy, apiRateLimit: settings.apiRateLimit, webhookAllowHosts: settings.webhookAllowHosts };
  setServerConfig(config);
  const app = express();
  app.disable("x-powered-by");
  app.use(protections(config));
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.use(boundedBody);
  // A session extended while in use sends its cookie again with whatever the route answers
  // (app/auth/response-cookies.server.ts).
  app.all("*", (_req, res, next) => withResponseCookies((cookie) => {
    if (!res.headersSent) res.append("Set-Cookie", cookie);
  }, next), remixHandler(build, process.env.NODE_ENV));

  const server = await new Promise<ReturnType<typeof app.listen>>((resolveListen, reject) => {
    const s = app.listen(options.port, options.host, () => resolveListen(s));
    s.on("error", reject);
  });
  if (!settings.consoleUrl) config.consoleUrl = loopbackConsoleUrl(options.host, (server.address() as AddressInfo).port);
  // The scheduler runs the daily jobs (the S1-4⑤ retention purge among them) and the monthly
  // reports once now, to catch up what a stopped server missed, then on their schedules.
  const scheduler = process.env.SCHEDULER === "off" || options.webWorker ? null : startScheduler(handle.db);
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  if (!options.webWorker) {
    console.log(`データベース: ${handle.path}${seeded ? "（デモデータを投入しました）" : ""}`);
    console.log(`管理コンソールを起動しました: ${url}`);
    console.log(demoAccountsText());
  }
  return {
    url,
    close: () => new Promise((done) => {
      scheduler?.stop();
      // The start-up runs may still be writing: the database closes after them.
      server.close(() => Promise.resolve(scheduler?.caughtUp).then(() => handle.close()).then(() => done()));
    }),
  };
}
