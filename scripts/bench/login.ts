// Login benchmark (issue 15): password-check throughput and latency of successful sign-ins under
// 10 and 50 parallel clients, then a storm of 200 simultaneous wrong passwords for one account,
// against the real server (npm start's code path, through the e2e helper) on loopback with a
// temporary database. Prints logins/s, p50/p99, and how many of the storm's passwords were checked
// (the throttle allows 5). Bounded: a fixed number of requests, each with a 60 s timeout.
// One client address (loopback) for all: at 50 parallel the address's 20 checks in flight hold
// the rest back (they wait, throttle.server.ts), which is what the p99 shows.
//   npx tsx scripts/bench/login.ts [LOGINS_PER_LEVEL]
import { randomUUID } from "node:crypto";
import SQLite from "better-sqlite3";
import { hashPassword, verifyPassword } from "../../app/auth/password.server";
import { MAX_FAILURES_PER_ACCOUNT } from "../../app/auth/throttle.server";
import { startConsole } from "../../test/e2e/support/server";

const loginsPerLevel = Math.min(Number(process.argv[2] ?? 200), 2000);
const LEVELS = [10, 50];
const STORM = 200;
/** One account per parallel client, as people of one office signing in (from one address). */
const ACCOUNTS = Array.from(
  { length: Math.max(...LEVELS) },
  (_, i) => `bench${i + 1}@bench.example`,
);
const PASSWORD = "bench-password-2026";

function postLogin(
  url: string,
  email: string,
  password: string,
  cookie?: string,
): Promise<Response> {
  return fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    signal: AbortSignal.timeout(60_000),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: new URLSearchParams({ email, password }),
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// The ceiling: the password hash alone, in this process, 4 at a time (libuv's thread pool).
const hash = await hashPassword(PASSWORD);
const rawStart = performance.now();
await Promise.all(Array.from({ length: 20 }, () => verifyPassword(hash, PASSWORD)));
const rawRate = 20 / ((performance.now() - rawStart) / 1000);

const server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
try {
  console.log(
    `server ${server.url} (${process.platform}, Node ${process.version}, load average ${(await import("node:os")).loadavg()[0].toFixed(1)}); ` +
      `scrypt N=2^15, r=8, p=1: ${rawRate.toFixed(1)} verifications/s without the server`,
  );
  const writer = new SQLite(server.databasePath);
  const insert = writer.prepare(
    "insert into users (id, email, display_name, role, password_hash, created_at) values (?, ?, ?, 'operator', ?, ?)",
  );
  writer.transaction(() =>
    ACCOUNTS.forEach((email, i) =>
      insert.run(randomUUID(), email, `ベンチ ${i + 1}`, hash, new Date().toISOString()),
    ),
  )();
  writer.close();
  // Each account signs in once so that its browser is known (a returning user: no new-browser mail).
  const devices = new Map<string, string>();
  for (const email of ACCOUNTS) {
    const r = await postLogin(server.url, email, PASSWORD);
    if (r.status !== 302) throw new Error(`${email}: ${r.status}`);
    devices.set(
      email,
      r.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .find((c) => c.startsWith("console_device="))!,
    );
  }

  for (const parallel of LEVELS) {
    const latencies: number[] = [];
    let next = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, async (_, client) => {
        const email = ACCOUNTS[client];
        while (next < loginsPerLevel) {
          next++;
          const t = performance.now();
          const r = await postLogin(server.url, email, PASSWORD, devices.get(email));
          latencies.push(performance.now() - t);
          if (r.status !== 302) failed++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(
      `${String(parallel).padStart(2)} parallel: ${loginsPerLevel} logins in ${seconds.toFixed(1)} s = ` +
        `${(loginsPerLevel / seconds).toFixed(1)} logins/s, p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(0)} ms${failed ? `, ${failed} not signed in` : ""}`,
    );
  }

  const stormStart = performance.now();
  const storm = await Promise.all(
    Array.from({ length: STORM }, (_, i) =>
      postLogin(server.url, "bench1@bench.example", `wrong-${i}`),
    ),
  );
  const count = (status: number) => storm.filter((r) => r.status === status).length;
  const db = new SQLite(server.databasePath, { readonly: true });
  const checked = (
    db
      .prepare(
        "select count(*) as n from login_attempts where email = 'bench1@bench.example' and success = 0",
      )
      .get() as { n: number }
  ).n;
  db.close();
  console.log(
    `wrong-password storm: ${STORM} simultaneous for one account in ${((performance.now() - stormStart) / 1000).toFixed(1)} s: ` +
      `${count(401)} answered 401, ${count(429)} answered 429; passwords checked: ${checked} (allowed ${MAX_FAILURES_PER_ACCOUNT})`,
  );
  if (checked > MAX_FAILURES_PER_ACCOUNT) process.exitCode = 1;
} finally {
  await server.stop();
}
