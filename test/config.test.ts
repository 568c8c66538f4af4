// Configuration in one place (issue 16 item 5): every variable parsed by app/config.server.ts,
// a bad value named as `VAR: message`, and the README's table listing exactly those variables.
import { availableParallelism } from "node:os";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  DEFAULT_MAIL_FROM,
  ENVIRONMENT_VARIABLES,
  parseAppNow,
  parseDatabaseUrl,
  parsePort,
  parseShutdownTimeout,
  parseSimulator,
  parseSmtpUrl,
  parseVendorApi,
  readEnvironment,
} from "../app/config.server";

const ROOT = join(import.meta.dirname, "..");

describe("readEnvironment", () => {
  it("gives every default when nothing is set", () => {
    expect(readEnvironment({})).toEqual({
      databaseUrl: "file:./data/app.db",
      host: "127.0.0.1",
      port: 3000,
      nodeEnv: undefined,
      appNow: null,
      consoleUrl: null,
      trustProxy: 0,
      apiRateLimit: 600,
      webConcurrency: Math.min(64, availableParallelism()),
      webhookAllowHosts: [],
      importMaxBytes: 536_870_912,
      smtpUrl: null,
      mailFrom: DEFAULT_MAIL_FROM,
      vendorApi: null,
      scheduler: true,
      simulator: "demo",
      shutdownTimeoutMs: 8_000,
    });
  });

  it("reads each variable it lists", () => {
    const env = readEnvironment({
      DATABASE_URL: "postgres://console@db.internal/console",
      HOST: "0.0.0.0",
      PORT: "8080",
      NODE_ENV: "production",
      APP_NOW: "2026-11-22T10:00:00+09:00",
      CONSOLE_URL: "https://console.example.jp/",
      TRUST_PROXY: "1",
      API_RATE_LIMIT: "120",
      WEB_CONCURRENCY: "3",
      WEBHOOK_ALLOW_HOSTS: "Hooks.Example.JP,127.0.0.1",
      IMPORT_MAX_BYTES: "1048576",
      SMTP_URL: "smtp://127.0.0.1:2525",
      MAIL_FROM: "請求係 <billing@example.jp>",
      VENDOR_API_URL: "https://vendor.example/api",
      VENDOR_API_TOKEN: "t0ken",
      SCHEDULER: "off",
      SIMULATOR: "ON",
      SHUTDOWN_TIMEOUT: "30",
    });
    expect(env).toEqual({
      databaseUrl: "postgres://console@db.internal/console",
      host: "0.0.0.0",
      port: 8080,
      nodeEnv: "production",
      appNow: new Date("2026-11-22T01:00:00Z"),
      consoleUrl: "https://console.example.jp",
      trustProxy: 1,
      apiRateLimit: 120,
      webConcurrency: 3,
      webhookAllowHosts: ["hooks.example.jp", "127.0.0.1"],
      importMaxBytes: 1_048_576,
      smtpUrl: "smtp://127.0.0.1:2525",
      mailFrom: "請求係 <billing@example.jp>",
      vendorApi: { baseUrl: "https://vendor.example/api", token: "t0ken" },
      scheduler: false,
      simulator: "on",
      shutdownTimeoutMs: 30_000,
    });
    // One key per variable: a variable added to the list without a field (or the reverse) shows here.
    expect(Object.keys(env)).toHaveLength(ENVIRONMENT_VARIABLES.length - 1); // VENDOR_API_URL and _TOKEN share one field
  });

  it("names every bad variable, one per line, in one error", () => {
    let error: unknown;
    try {
      readEnvironment({
        PORT: "70000",
        TRUST_PROXY: "yes",
        SIMULATOR: "sometimes",
        APP_NOW: "2026-11-22 10:00",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      [
        'PORT: 0〜65535のポート番号を指定してください: "70000"',
        'APP_NOW: オフセット付きのISO 8601日時を指定してください（例: 2026-11-22T10:00:00+09:00）: "2026-11-22 10:00"',
        'TRUST_PROXY: 信頼するプロキシの段数を0以上の整数で指定してください: "yes"',
        'SIMULATOR: on または off を指定してください: "sometimes"',
      ].join("\n"),
    );
  });
});

describe("the parse functions", () => {
  it("DATABASE_URL: a SQLite file or a PostgreSQL connection string", () => {
    expect(parseDatabaseUrl(undefined)).toBe("file:./data/app.db");
    expect(parseDatabaseUrl("file:/var/lib/console/app.db")).toBe("file:/var/lib/console/app.db");
    expect(parseDatabaseUrl("postgresql:///console?host=/var/run/postgresql")).toBe(
      "postgresql:///console?host=/var/run/postgresql",
    );
    expect(() => parseDatabaseUrl("mysql://db/console")).toThrow(
      'DATABASE_URL: file:パス（SQLite）または postgres://… を指定してください: "mysql://db/console"',
    );
    expect(() => parseDatabaseUrl("file:")).toThrow(ConfigError);
    expect(() => parseDatabaseUrl("./data/app.db")).toThrow(/^DATABASE_URL: /);
  });

  it("PORT: 0 to 65535", () => {
    expect(parsePort("0")).toBe(0);
    expect(parsePort("65535")).toBe(65535);
    expect(() => parsePort("65536")).toThrow(/^PORT: /);
    expect(() => parsePort("80a")).toThrow(/^PORT: /);
    expect(() => parsePort("-1")).toThrow(/^PORT: /);
  });

  it("APP_NOW: an instant with its offset", () => {
    expect(parseAppNow("2026-11-22T00:30:00+09:00")?.toISOString()).toBe(
      "2026-11-21T15:30:00.000Z",
    );
    expect(parseAppNow("")).toBeNull();
    expect(() => parseAppNow("2026-02-30T10:00:00Z")).toThrow(/^APP_NOW: /);
  });

  it("SMTP_URL, VENDOR_API_URL/TOKEN, SIMULATOR, SHUTDOWN_TIMEOUT", () => {
    expect(parseSmtpUrl("smtps://user:pass@mail.example:465")).toBe(
      "smtps://user:pass@mail.example:465",
    );
    expect(() => parseSmtpUrl("mail.example:25")).toThrow(
      'SMTP_URL: smtp://ホスト:ポート または smtps://ホスト:ポート を指定してください: "mail.example:25"',
    );
    expect(parseVendorApi(undefined, " ")).toBeNull();
    expect(() => parseVendorApi("https://vendor.example", undefined)).toThrow(
      "VENDOR_API_TOKEN: VENDOR_API_URL と一緒に設定してください",
    );
    expect(() => parseVendorApi(undefined, "t")).toThrow(
      "VENDOR_API_URL: VENDOR_API_TOKEN と一緒に設定してください",
    );
    expect(() => parseVendorApi("ftp://vendor.example", "t")).toThrow(/^VENDOR_API_URL: /);
    expect(parseSimulator(undefined)).toBe("demo");
    expect(parseSimulator("off")).toBe("off");
    expect(parseShutdownTimeout("0")).toBe(0);
    expect(() => parseShutdownTimeout("5s")).toThrow(/^SHUTDOWN_TIMEOUT: /);
  });
});

describe("README", () => {
  it("lists exactly the variables app/config.server.ts reads, in its order", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(
      readme.indexOf("## Configuration"),
      readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1),
    );
    const rows = section.split("\n").filter((line) => line.startsWith("| `"));
    const names = rows.flatMap((row) =>
      [...row.split("|")[1].matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]),
    );
    expect(names).toEqual([...ENVIRONMENT_VARIABLES]);
  });
});

describe("nothing else reads the environment", () => {
  it("process.env appears in app/, db/ and scripts/ only in config.server.ts, the clock's APP_NOW, the entry points' NODE_ENV default and libpq's PGUSER", () => {
    // scripts/webhook-receiver.ts is the partners' example receiver, a program of its own.
    const grep = spawnSync(
      "grep",
      [
        "-rn",
        "--include=*.ts",
        "--include=*.tsx",
        "--exclude=*.test.ts",
        "--exclude=webhook-receiver.ts",
        "--exclude-dir=bench",
        "process\\.env",
        "app",
        "db",
        "scripts",
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    const files = [
      ...new Set(
        grep.stdout
          .trim()
          .split("\n")
          .map((line) => line.split(":")[0]),
      ),
    ].sort();
    expect(files).toEqual([
      "app/config.server.ts",
      "app/lib/clock.ts",
      "db/connection.ts",
      "scripts/start.ts",
      "scripts/worker.ts",
    ]);
    // libpq's own convention for a PostgreSQL URL without a user (decision 0023), read where the URL is completed.
    expect(grep.stdout.split("\n").filter((l) => l.startsWith("db/connection.ts"))).toEqual([
      expect.stringMatching(
        /const user = process\.env\.PGUSER \?\? process\.env\.USER \?\? userInfo\(\)\.username;$/,
      ),
    ]);
    expect(grep.stdout).toMatch(
      /app\/lib\/clock\.ts:\d+: {2}const pinned = process\.env\.APP_NOW;/,
    );
    for (const entry of ["scripts/start.ts", "scripts/worker.ts"]) {
      expect(grep.stdout.split("\n").filter((l) => l.startsWith(entry))).toEqual([
        expect.stringMatching(/process\.env\.NODE_ENV \?\?= "production";$/),
      ]);
    }
  });
});
