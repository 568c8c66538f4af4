// Operations (issue 18 item 5) against the real server: /healthz and /readyz, the request id and
// the JSON log line of a 5xx with its stack, a graceful stop on SIGTERM that finishes a slow
// request and exits 0, and the demo simulator on only for demo data just loaded (issue 16 item 5).
import { request } from "node:http";
import { mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole, type ConsoleServer } from "./support/server";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Writes to the server's database file as an operator's mistake would. */
function write(server: ConsoleServer, sql: string): void {
  const db = new SQLite(server.databasePath);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

async function probe(server: ConsoleServer, path: string) {
  const response = await fetch(`${server.url}${path}`);
  return {
    status: response.status,
    text: await response.text(),
    id: response.headers.get("x-request-id"),
    cache: response.headers.get("cache-control"),
  };
}

describe("health probes, request ids and the error log", () => {
  let server: ConsoleServer;
  beforeAll(async () => {
    server = await startConsole();
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("/healthz answers while the process is up; /readyz while the database answers and is migrated", async () => {
    const health = await probe(server, "/healthz");
    expect(health).toMatchObject({ status: 200, text: "ok\n", cache: "no-store" });
    expect(health.id).toMatch(UUID);
    expect(await probe(server, "/readyz")).toMatchObject({ status: 200, text: "ready\n" });

    // A migration of this build not applied (a database restored from an older backup, say).
    const [last] = new SQLite(server.databasePath, { readonly: true })
      .prepare("select name, timestamp from kysely_migration order by name desc limit 1")
      .all() as { name: string; timestamp: string }[];
    write(server, `delete from kysely_migration where name = '${last.name}'`);
    expect(await probe(server, "/readyz")).toMatchObject({
      status: 503,
      text: `migrations pending: ${last.name}\n`,
    });
    expect((await probe(server, "/healthz")).status).toBe(200);
    write(
      server,
      `insert into kysely_migration (name, timestamp) values ('${last.name}', '${last.timestamp}')`,
    );
    expect(await probe(server, "/readyz")).toMatchObject({ status: 200, text: "ready\n" });

    // The database file gone from under the server (a volume unmounted, a file deleted).
    renameSync(server.databasePath, `${server.databasePath}.moved`);
    try {
      expect(await probe(server, "/readyz")).toMatchObject({
        status: 503,
        text: `database: ${server.databasePath}: the file is missing\n`,
      });
    } finally {
      renameSync(`${server.databasePath}.moved`, server.databasePath);
    }
    expect(await probe(server, "/readyz")).toMatchObject({ status: 200, text: "ready\n" });
    // Probes are not in the access log: they come every few seconds.
    expect(
      server.logLines().filter((l) => l.msg === "request" && /z$/.test(String(l.path))),
    ).toEqual([]);
  });

  it("every response carries its request id, and the access log names it", async () => {
    const response = await fetch(`${server.url}/login`);
    expect(response.status).toBe(200);
    const id = response.headers.get("x-request-id")!;
    expect(id).toMatch(UUID);
    // A client's own id is not taken without a trusted proxy (TRUST_PROXY=0 here).
    const spoofed = await fetch(`${server.url}/login`, {
      headers: { "X-Request-Id": "client-chosen-id-1234" },
    });
    expect(spoofed.headers.get("x-request-id")).toMatch(UUID);
    await new Promise((r) => setTimeout(r, 100));
    const line = server.logLines().find((l) => l.requestId === id);
    expect(line).toMatchObject({
      level: "info",
      msg: "request",
      method: "GET",
      path: "/login",
      status: 200,
    });
    expect(typeof line!.ms).toBe("number");
    expect(Number.isNaN(Date.parse(String(line!.time)))).toBe(false);
  });

  it("a 500 is logged as one JSON line with the stack and the id the client got", async () => {
    // The login's throttle table dropped behind the server's back: the action throws.
    write(server, "drop table login_throttle");
    const response = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new URLSearchParams({ email: "admin@demo.example", password: "wrong-password-1" }),
      redirect: "manual",
    });
    expect(response.status).toBe(500);
    const id = response.headers.get("x-request-id")!;
    expect(id).toMatch(UUID);
    await new Promise((r) => setTimeout(r, 100));
    const lines = server.logLines().filter((l) => l.requestId === id);
    const failure = lines.find((l) => l.msg === "request failed");
    expect(failure).toMatchObject({
      level: "error",
      method: "POST",
      path: "/login",
      error: "no such table: login_throttle",
    });
    expect(String(failure!.stack)).toMatch(/^SqliteError: no such table: login_throttle\n\s+at /);
    expect(lines.find((l) => l.msg === "request")).toMatchObject({
      level: "error",
      status: 500,
      method: "POST",
      path: "/login",
    });
  });
});

describe("graceful stop", () => {
  it("on SIGTERM, stops taking connections, finishes the slow request in flight and exits 0", async () => {
    const server = await startConsole();
    try {
      const { hostname, port } = new URL(server.url);
      // A form whose body arrives slowly: the request is in flight while the server is told to stop.
      const answer = new Promise<{ status: number; body: string; connection: string | undefined }>(
        (resolve, reject) => {
          const req = request(
            {
              hostname,
              port,
              path: "/login",
              method: "POST",
              headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
            },
            (res) => {
              let body = "";
              res.on("data", (c: Buffer) => (body += c.toString()));
              res.on("end", () =>
                resolve({ status: res.statusCode!, body, connection: res.headers.connection }),
              );
            },
          );
          req.on("error", reject);
          req.write("email=admin%40demo.example&");
          setTimeout(() => {
            exited = server.kill("SIGTERM");
            setTimeout(() => req.end("password=not-the-password"), 1_500);
          }, 300);
        },
      );
      let exited: Promise<number | null> | undefined;
      // While it drains, a new connection is refused.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(server.logLines().some((l) => l.msg === "stopping" && l.signal === "SIGTERM")).toBe(
        true,
      );
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
      const { status, body, connection } = await answer;
      expect(status).toBe(401);
      expect(body).toContain("メールアドレスまたはパスワードが正しくありません。");
      expect(connection).toBe("close");
      expect(await exited).toBe(0);
      const closed = server.logLines().find((l) => l.msg === "server closed");
      expect(closed).toMatchObject({ level: "info", inFlight: 1, cutOff: 0 });
    } finally {
      await server.stop();
    }
  }, 90_000);

  it("cuts off a request that does not finish within SHUTDOWN_TIMEOUT and still exits 0", async () => {
    const server = await startConsole({ SHUTDOWN_TIMEOUT: "1" });
    try {
      const { hostname, port } = new URL(server.url);
      const req = request({
        hostname,
        port,
        path: "/login",
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      });
      const ended = new Promise((resolve) => req.on("error", resolve).on("close", resolve));
      req.write("email=");
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      expect(await server.kill("SIGTERM")).toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
      await ended;
      expect(server.logLines().find((l) => l.msg === "server closed")).toMatchObject({
        level: "warn",
        inFlight: 1,
        cutOff: 1,
      });
    } finally {
      await server.stop();
    }
  }, 90_000);
});

/** The "started" log line (stderr may be read a moment after the banner on stdout). */
async function startedLine(server: ConsoleServer) {
  for (let i = 0; i < 40; i++) {
    const line = server.logLines().find((l) => l.msg === "started");
    if (line) return line;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

describe("the demo simulator (SIMULATOR)", () => {
  it("runs after this start loaded the demo data, not on a database that already had data, unless SIMULATOR=on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "console-sim-"));
    const databasePath = join(dir, "app.db");
    const started = async (env: Record<string, string>) => {
      const server = await startConsole({ SCHEDULER: "on", ...env }, { databasePath });
      const line = await startedLine(server);
      expect(await server.kill("SIGTERM")).toBe(0);
      return line;
    };
    try {
      expect(await started({})).toMatchObject({ seeded: true, scheduler: true, simulator: true });
      expect(await started({})).toMatchObject({ seeded: false, scheduler: true, simulator: false });
      expect(await started({ SIMULATOR: "on" })).toMatchObject({ seeded: false, simulator: true });
      const fresh = join(dir, "fresh.db");
      const off = await startConsole(
        { SCHEDULER: "on", SIMULATOR: "off" },
        { databasePath: fresh },
      );
      expect(await startedLine(off)).toMatchObject({ seeded: true, simulator: false });
      expect(await off.kill("SIGTERM")).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
