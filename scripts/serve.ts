// The HTTP server: migrates and seeds the database, then serves the built Remix app with the
// protections every request needs (client address, same-origin POSTs, security headers).
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express, { type NextFunction, type Request, type Response } from "express";
import { withResponseCookies } from "../app/auth/response-cookies.server";
import { setDatabase } from "../app/db.server";
import { startScheduler } from "../app/scheduler.server";
import { now } from "../app/lib/clock";
import { migrateToLatest, openDatabase } from "../db/connection";
import { demoAccountsText, isSeeded, seedDemo } from "../db/seed";

const BUILD_PATH = resolve("build/index.js");

/** A POST from another site is refused: the browser names the page's origin in Origin (or Referer). */
export function isCrossOriginRequest(headers: { origin?: string; referer?: string; host?: string }): boolean {
  const source = headers.origin ?? headers.referer;
  if (!source) return false;
  if (source === "null") return true;
  try {
    return new URL(source).host !== headers.host;
  } catch {
    return true;
  }
}

function protections(req: Request, res: Response, next: NextFunction) {
  // The only client address the app trusts is the socket's; a header sent by the client is replaced.
  req.headers["x-client-ip"] = req.socket.remoteAddress ?? "unknown";
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "same-origin");
  res.setHeader("Content-Security-Policy", "frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
  const safe = req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS";
  if (!safe && isCrossOriginRequest({ origin: req.get("origin"), referer: req.get("referer"), host: req.get("host") })) {
    res.status(403).type("text/plain; charset=utf-8").send("別のサイトからの送信は受け付けられません。");
    return;
  }
  next();
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(options: { port: number; host: string }): Promise<RunningServer> {
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
  const app = express();
  app.disable("x-powered-by");
  app.use(protections);
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  // A session extended while in use sends its cookie again with whatever the route answers
  // (app/auth/response-cookies.server.ts).
  app.all("*", (_req, res, next) => withResponseCookies((cookie) => {
    if (!res.headersSent) res.append("Set-Cookie", cookie);
  }, next), createRequestHandler({ build, mode: process.env.NODE_ENV }));

  const server = await new Promise<ReturnType<typeof app.listen>>((resolveListen, reject) => {
    const s = app.listen(options.port, options.host, () => resolveListen(s));
    s.on("error", reject);
  });
  // The scheduler runs the daily jobs (the S1-4⑤ retention purge among them) and the monthly
  // reports once now, to catch up what a stopped server missed, then on their schedules.
  const scheduler = process.env.SCHEDULER === "off" ? null : startScheduler(handle.db);
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  console.log(`データベース: ${handle.path}${seeded ? "（デモデータを投入しました）" : ""}`);
  console.log(`管理コンソールを起動しました: ${url}`);
  console.log(demoAccountsText());
  return {
    url,
    close: () => new Promise((done) => {
      scheduler?.stop();
      // The start-up runs may still be writing: the database closes after them.
      server.close(() => Promise.resolve(scheduler?.caughtUp).then(() => handle.close()).then(() => done()));
    }),
  };
}
