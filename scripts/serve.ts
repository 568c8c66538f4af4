// A web worker's HTTP server (scripts/workers.ts forks them): serves the built Remix app with the
// protections every request needs (scripts/edge.ts: request id, health probes, client address,
// same-origin POSTs, body limits, security headers), and stops gracefully (scripts/shutdown.ts).
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import {
  environment,
  loopbackConsoleUrl,
  serverConfigOfEnvironment,
  setServerConfig,
} from "../app/config.server";
import { withResponseCookies } from "../app/auth/response-cookies.server";
import { setDatabase } from "../app/db.server";
import { log } from "../app/lib/log.server";
import { migrateToLatest, openDatabase } from "../db/connection";
import {
  accessLog,
  boundedBody,
  errorHandler,
  healthRoutes,
  protections,
  remixHandler,
  requestIdentity,
} from "./edge";
import { databaseReadiness } from "./readiness";
import { closeHttpServer, trackRequests } from "./shutdown";

const BUILD_PATH = resolve("build/index.js");

export { isCrossOriginRequest } from "./edge";

export interface RunningServer {
  url: string;
  /**
   * Graceful stop: no new connections, the requests in flight finish (at most SHUTDOWN_TIMEOUT),
   * then the database closes. (Jobs run in the job worker, never here.)
   */
  close(): Promise<void>;
}

/** Throws a ConfigError (its message starts with the variable's name) before touching anything. */
export async function startServer(options: { port: number; host: string }): Promise<RunningServer> {
  const env = environment();
  const settings = serverConfigOfEnvironment({ host: options.host });
  if (!existsSync(BUILD_PATH))
    throw new Error(`${BUILD_PATH}: no build; run "npm run build" first`);
  const handle = openDatabase(env.databaseUrl);
  // The primary (scripts/workers.ts) has migrated and seeded: this only checks, and waits for a
  // migration another instance may be running.
  await migrateToLatest(handle.db);
  setDatabase(handle);

  const build = (await import(pathToFileURL(BUILD_PATH).href)) as ServerBuild;
  // The app reads the settings at each request; a loopback server without CONSOLE_URL gets its
  // own address once the port is known (PORT may be 0).
  const config = {
    consoleUrl: settings.consoleUrl ?? "",
    trustProxy: settings.trustProxy,
    apiRateLimit: settings.apiRateLimit,
    webhookAllowHosts: settings.webhookAllowHosts,
  };
  setServerConfig(config);
  let draining = false;
  const ready = databaseReadiness(handle.db, handle.path === ":memory:" ? null : handle.path);
  const app = express();
  app.disable("x-powered-by");
  app.use(requestIdentity(config));
  app.use(healthRoutes(() => (draining ? Promise.resolve("shutting down") : ready())));
  app.use(protections(config));
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  // Pages, data and API calls are logged; the static files and the probes above are not.
  app.use(accessLog);
  app.use(boundedBody);
  // A session extended while in use sends its cookie again with whatever the route answers
  // (app/auth/response-cookies.server.ts).
  app.all(
    "*",
    (_req, res, next) =>
      withResponseCookies((cookie) => {
        if (!res.headersSent) res.append("Set-Cookie", cookie);
      }, next),
    remixHandler(build, env.nodeEnv),
  );
  app.use(errorHandler);

  const server = await new Promise<ReturnType<typeof app.listen>>((resolveListen, reject) => {
    const s = app.listen(options.port, options.host, () => resolveListen(s));
    s.on("error", reject);
  });
  const requests = trackRequests(server);
  if (!settings.consoleUrl)
    config.consoleUrl = loopbackConsoleUrl(options.host, (server.address() as AddressInfo).port);
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  log("info", "web worker listening", { url, database: handle.path });

  let closing: Promise<void> | null = null;
  const close = async () => {
    draining = true;
    requests.drain();
    const inFlight = requests.inFlight();
    const { cutOff } = await closeHttpServer(server, env.shutdownTimeoutMs, requests.inFlight);
    await handle.close();
    log(cutOff ? "warn" : "info", "server closed", { inFlight, cutOff });
  };
  return { url, close: () => (closing ??= close()) };
}
