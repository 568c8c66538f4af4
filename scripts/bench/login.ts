// Login benchmark (issue 15): password-check throughput and latency of successful sign-ins under
// 10 and 50 parallel clients, then a storm of 200 simultaneous wrong passwords for one account,
// against the real server (npm start's code path, through the e2e helper) on loopback with a
// temporary database. Prints logins/s, p50/p99, and how many of the storm's passwords were checked
// (the throttle allows 5). Bounded: a fixed number of requests, each with a 60 s timeout.
//   npx tsx scripts/bench/login.ts [LOGINS_PER_LEVEL]
import SQLite from "better-sqlite3";
import { MAX_FAILURES_PER_ACCOUNT } from "../../app/auth/throttle.server";
import { DEMO_PASSWORD } from "../../db/seed";
import { startConsole } from "../../test/e2e/support/server";

const loginsPerLevel = Math.min(Number(process.argv[2] ?? 200), 2000);
const LEVELS = [10, 50];
const STORM = 200;
const ACCOUNTS = ["admin@demo.example", "operator@demo.example", "finance@demo.example", "reseller@demo.example",
  "reseller2@demo.example", "customer@demo.example", "customer2@demo.example"];

function postLogin(url: string, email: string, password: string, cookie?: string): Promise<Response> {
  return fetch(`${url}/login`, {
    method: "POST", redirect: "manual", signal: AbortSignal.timeout(60_000),
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...(cookie ? { Cookie: cookie } : {}) },
    body: new URLSearchParams({ email, password }),
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
try {
  console.log(`server ${server.url} (${process.platform}, Node ${process.version}); scrypt N=2^15, r=8, p=1`);
  // Each account signs in once so that its browser is known (a returning user: no new-browser mail).
  const devices = new Map<string, string>();
  for (const email of ACCOUNTS) {
    const r = await postLogin(server.url, email, DEMO_PASSWORD);
    if (r.status !== 302) throw new Error(`${email}: ${r.status}`);
    devices.set(email, r.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("console_device="))!);
  }

  for (const parallel of LEVELS) {
    const latencies: number[] = [];
    let next = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (next < loginsPerLevel) {
        const email = ACCOUNTS[next++ % ACCOUNTS.length];
        const t = performance.now();
        const r = await postLogin(server.url, email, DEMO_PASSWORD, devices.get(email));
        latencies.push(performance.now() - t);
        if (r.status !== 302) failed++;
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(`${String(parallel).padStart(2)} parallel: ${loginsPerLevel} logins in ${seconds.toFixed(1)} s = `
      + `${(loginsPerLevel / seconds).toFixed(1)} logins/s, p50 ${percentile(latencies, 50).toFixed(0)} ms, `
      + `p99 ${percentile(latencies, 99).toFixed(0)} ms${failed ? `, ${failed} not signed in` : ""}`);
  }

  const stormStart = performance.now();
  const storm = await Promise.all(Array.from({ length: STORM }, (_, i) => postLogin(server.url, "admin@demo.example", `wrong-${i}`)));
  const count = (status: number) => storm.filter((r) => r.status === status).length;
  const db = new SQLite(server.databasePath, { readonly: true });
  const checked = (db.prepare("select count(*) as n from login_attempts where email = 'admin@demo.example' and success = 0").get() as { n: number }).n;
  db.close();
  console.log(`wrong-password storm: ${STORM} simultaneous for one account in ${((performance.now() - stormStart) / 1000).toFixed(1)} s: `
    + `${count(401)} answered 401, ${count(429)} answered 429; passwords checked: ${checked} (allowed ${MAX_FAILURES_PER_ACCOUNT})`);
  if (checked > MAX_FAILURES_PER_ACCOUNT) process.exitCode = 1;
} finally {
  await server.stop();
}
