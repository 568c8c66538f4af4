// Every environment variable the server and the commands read, in one place (issue 16 item 5):
// `readEnvironment` parses them all and `environment()` is what the code calls; nothing else reads
// process.env (APP_NOW excepted: tests change it between calls, so app/lib/clock.ts reads it each
// time, and it is validated here at start like the others). The README's configuration table
// lists exactly `ENVIRONMENT_VARIABLES` (test/config.test.ts compares the two).
// The server's request-time settings are read once at start (scripts/start.ts), then shared with
// the built app through globalThis as the database handle is (db.server.ts): the two are loaded
// as separate module instances.
import { isIP } from "node:net";
import { availableParallelism } from "node:os";
import { parseInstant } from "./lib/jst";

export interface ServerConfig {
  /** The console's origin as its users reach it, without a trailing slash: the only base of mailed links. */
  consoleUrl: string;
  /** How many reverse proxies in front of the server append to X-Forwarded-For (0: none, use the socket's address). */
  trustProxy: number;
  /** Partner API requests per key and minute (API_RATE_LIMIT, default 600; issue 19). */
  apiRateLimit: number;
  /** Webhook target hosts exempt from the SSRF refusal and from https (WEBHOOK_ALLOW_HOSTS; decision 0022), lower case. */
  webhookAllowHosts: string[];
}

/** A setting that keeps the server from starting; the message starts with the variable's name. */
export class ConfigError extends Error {}

/** CONSOLE_URL: an http(s) origin; a path, query or credentials are refused (links append their own path). */
export function parseConsoleUrl(raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(
      `CONSOLE_URL: 有効なURLではありません（例: https://console.example.jp）: "${raw}"`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(
      `CONSOLE_URL: http:// または https:// で始まるURLを指定してください: "${raw}"`,
    );
  }
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== "/" && url.pathname !== "")
  ) {
    throw new ConfigError(
      `CONSOLE_URL: パスやクエリを含まないURLを指定してください（例: https://console.example.jp）: "${raw}"`,
    );
  }
  return url.origin;
}

/** TRUST_PROXY: an integer ≥ 0 (proxy hops); unset is 0. */
export function parseTrustProxy(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 0;
  if (!/^\d{1,2}$/.test(raw.trim())) {
    throw new ConfigError(
      `TRUST_PROXY: 信頼するプロキシの段数を0以上の整数で指定してください: "${raw}"`,
    );
  }
  return Number(raw.trim());
}

export const DEFAULT_API_RATE_LIMIT = 600;

/** API_RATE_LIMIT: requests per API key and minute, an integer ≥ 1; unset is 600. */
export function parseApiRateLimit(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_API_RATE_LIMIT;
  if (!/^[1-9]\d{0,6}$/.test(raw.trim())) {
    throw new ConfigError(
      `API_RATE_LIMIT: APIキーごとの1分あたりのリクエスト数を1以上の整数で指定してください: "${raw}"`,
    );
  }
  return Number(raw.trim());
}

export const MAX_WEB_CONCURRENCY = 64;

/**
 * WEB_CONCURRENCY: how many web worker processes `npm start` runs (issue 18 item 3), an integer
 * from 1 to 64; unset is the number of cores. The one job worker comes on top.
 */
export function parseWebConcurrency(raw: string | undefined, cores: number): number {
  if (raw === undefined || raw.trim() === "")
    return Math.max(1, Math.min(MAX_WEB_CONCURRENCY, cores));
  const n = Number(raw.trim());
  if (!/^\d{1,2}$/.test(raw.trim()) || n < 1 || n > MAX_WEB_CONCURRENCY) {
    throw new ConfigError(
      `WEB_CONCURRENCY: ウェブワーカーの数を1から${MAX_WEB_CONCURRENCY}までの整数で指定してください: "${raw}"`,
    );
  }
  return n;
}

/**
 * WEBHOOK_ALLOW_HOSTS: comma-separated host names or addresses (no scheme, port or path) that
 * webhooks may target although they resolve to private or loopback addresses, over http too; unset is none.
 */
export function parseWebhookAllowHosts(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === "") return [];
  const hosts = raw
    .split(",")
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ""),
    )
    .filter((h) => h !== "");
  for (const h of hosts) {
    if (
      isIP(h) === 0 &&
      !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(h)
    ) {
      throw new ConfigError(
        `WEBHOOK_ALLOW_HOSTS: ホスト名かIPアドレスをカンマ区切りで指定してください（スキームやポートは付けません）: "${h}"`,
      );
    }
  }
  return [...new Set(hosts)];
}

/** Loopback listen addresses: only a server reachable from this machine alone may guess its own URL. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/**
 * The settings from the environment. Without CONSOLE_URL, `consoleUrl` is null when the server
 * listens on loopback (the caller sets `http://HOST:PORT` once the port is known, PORT may be 0);
 * on any other address the server refuses to start.
 */
export function readServerConfig(
  env: Record<string, string | undefined>,
  listen: { host: string },
): {
  consoleUrl: string | null;
  trustProxy: number;
  apiRateLimit: number;
  webhookAllowHosts: string[];
} {
  const trustProxy = parseTrustProxy(env.TRUST_PROXY);
  const apiRateLimit = parseApiRateLimit(env.API_RATE_LIMIT);
  const webhookAllowHosts = parseWebhookAllowHosts(env.WEBHOOK_ALLOW_HOSTS);
  const raw = env.CONSOLE_URL?.trim();
  if (raw) return { consoleUrl: parseConsoleUrl(raw), trustProxy, apiRateLimit, webhookAllowHosts };
  if (!isLoopbackHost(listen.host)) {
    throw new ConfigError(
      `CONSOLE_URL: HOST=${listen.host} で起動するには、利用者がアクセスするURL（例: https://console.example.jp）を CONSOLE_URL に設定してください（メールのリンクに使います）`,
    );
  }
  return { consoleUrl: null, trustProxy, apiRateLimit, webhookAllowHosts };
}

/** The address a loopback server without CONSOLE_URL is reached at. */
export function loopbackConsoleUrl(host: string, port: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return parseConsoleUrl(`http://${h}:${port}`);
}

const KEY = Symbol.for("secure-line-console.config");
type Holder = { [KEY]?: ServerConfig };

export function setServerConfig(config: ServerConfig): void {
  (globalThis as Holder)[KEY] = config;
}

/**
 * The settings the server started with. Outside the server (commands, tests calling a route),
 * they are read from the environment, where CONSOLE_URL is then required.
 */
export function getServerConfig(): ServerConfig {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    const env = environment();
    if (!env.consoleUrl) throw new ConfigError("CONSOLE_URL: 設定されていません");
    holder[KEY] = {
      consoleUrl: env.consoleUrl,
      trustProxy: env.trustProxy,
      apiRateLimit: env.apiRateLimit,
      webhookAllowHosts: env.webhookAllowHosts,
    };
  }
  return holder[KEY];
}

// ---- the whole environment -------------------------------------------------------------------

/** Every variable `readEnvironment` reads, in the README table's order. */
export const ENVIRONMENT_VARIABLES = [
  "DATABASE_URL",
  "HOST",
  "PORT",
  "NODE_ENV",
  "APP_NOW",
  "CONSOLE_URL",
  "TRUST_PROXY",
  "API_RATE_LIMIT",
  "WEB_CONCURRENCY",
  "WEBHOOK_ALLOW_HOSTS",
  "IMPORT_MAX_BYTES",
  "SMTP_URL",
  "MAIL_FROM",
  "VENDOR_API_URL",
  "VENDOR_API_TOKEN",
  "SCHEDULER",
  "SIMULATOR",
  "SHUTDOWN_TIMEOUT",
] as const;

export type EnvironmentVariable = (typeof ENVIRONMENT_VARIABLES)[number];
type Env = Partial<Record<string, string | undefined>>;

export interface Environment {
  /** `file:PATH` (SQLite) or `postgres://…` / `postgresql://…`. */
  databaseUrl: string;
  host: string;
  port: number;
  /** As set; `npm start` sets `production` when unset. */
  nodeEnv: string | undefined;
  /** APP_NOW as given (the clock reads it on each call, app/lib/clock.ts). */
  appNow: Date | null;
  /** CONSOLE_URL as an origin, or null when unset (whether that is allowed depends on HOST: readServerConfig). */
  consoleUrl: string | null;
  trustProxy: number;
  apiRateLimit: number;
  /** Web worker processes `npm start` runs besides the job worker (WEB_CONCURRENCY). */
  webConcurrency: number;
  webhookAllowHosts: string[];
  importMaxBytes: number;
  smtpUrl: string | null;
  mailFrom: string;
  vendorApi: { baseUrl: string; token: string } | null;
  /** SCHEDULER=off: no background jobs in the server process (the browser tests). */
  scheduler: boolean;
  /** SIMULATOR: "on"/"off" as set; "demo" when unset: on only right after `npm start` loaded the demo data. */
  simulator: "on" | "off" | "demo";
  /** How long a stopping server waits for requests in flight (SHUTDOWN_TIMEOUT, seconds). */
  shutdownTimeoutMs: number;
}

export const DEFAULT_DATABASE_URL = "file:./data/app.db";
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 3000;
/** The largest import file the command reads (IMPORT_MAX_BYTES): 512 MiB. */
export const DEFAULT_IMPORT_MAX_BYTES = 536_870_912;
export const DEFAULT_MAIL_FROM = "セキュアライン株式会社 <noreply@secureline.example>";
/** Below `docker stop`'s 10 s and systemd's 90 s before they kill. */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 8;

const unset = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === "";

/** DATABASE_URL: `file:PATH` or a PostgreSQL connection string; unset is `file:./data/app.db`. */
export function parseDatabaseUrl(raw: string | undefined): string {
  if (unset(raw)) return DEFAULT_DATABASE_URL;
  const url = raw.trim();
  if (/^postgres(ql)?:\/\/./.test(url)) return url;
  if (url.startsWith("file:") && url.length > "file:".length) return url;
  throw new ConfigError(
    `DATABASE_URL: file:パス（SQLite）または postgres://… を指定してください: "${raw}"`,
  );
}

/** PORT: 0–65535 (0: any free port); unset is 3000. */
export function parsePort(raw: string | undefined): number {
  if (unset(raw)) return DEFAULT_PORT;
  const port = /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new ConfigError(`PORT: 0〜65535のポート番号を指定してください: "${raw}"`);
  return port;
}

/** APP_NOW: an ISO 8601 instant with its offset; unset is the system clock. */
export function parseAppNow(raw: string | undefined): Date | null {
  if (unset(raw)) return null;
  const at = parseInstant(raw.trim());
  if (!at)
    throw new ConfigError(
      `APP_NOW: オフセット付きのISO 8601日時を指定してください（例: 2026-11-22T10:00:00+09:00）: "${raw}"`,
    );
  return at;
}

/** IMPORT_MAX_BYTES: a whole number of bytes > 0; unset is 512 MiB. (The command's message is kept in English as before.) */
export function parseImportMaxBytes(raw: string | undefined): number {
  if (unset(raw)) return DEFAULT_IMPORT_MAX_BYTES;
  const bytes = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new ConfigError(`IMPORT_MAX_BYTES: not a whole number of bytes greater than 0: "${raw}"`);
  return bytes;
}

/** SMTP_URL: smtp://HOST:PORT or smtps://…; unset: mails wait in the outbox. */
export function parseSmtpUrl(raw: string | undefined): string | null {
  if (unset(raw)) return null;
  const url = raw.trim();
  if (!/^smtps?:\/\/./.test(url))
    throw new ConfigError(
      `SMTP_URL: smtp://ホスト:ポート または smtps://ホスト:ポート を指定してください: "${raw}"`,
    );
  return url;
}

/** VENDOR_API_URL and VENDOR_API_TOKEN: both or neither. */
export function parseVendorApi(
  rawUrl: string | undefined,
  rawToken: string | undefined,
): { baseUrl: string; token: string } | null {
  if (unset(rawUrl) && unset(rawToken)) return null;
  if (unset(rawUrl))
    throw new ConfigError("VENDOR_API_URL: VENDOR_API_TOKEN と一緒に設定してください");
  if (unset(rawToken))
    throw new ConfigError("VENDOR_API_TOKEN: VENDOR_API_URL と一緒に設定してください");
  if (!/^https?:\/\/./.test(rawUrl.trim()))
    throw new ConfigError(
      `VENDOR_API_URL: http:// または https:// で始まるURLを指定してください: "${rawUrl}"`,
    );
  return { baseUrl: rawUrl.trim(), token: rawToken.trim() };
}

function parseSwitch<T extends string>(
  name: string,
  raw: string | undefined,
  unsetValue: T,
): "on" | "off" | T {
  if (unset(raw)) return unsetValue;
  const value = raw.trim().toLowerCase();
  if (value === "on" || value === "off") return value;
  throw new ConfigError(`${name}: on または off を指定してください: "${raw}"`);
}

/** SCHEDULER: on (default) or off. */
export const parseScheduler = (raw: string | undefined): boolean =>
  parseSwitch("SCHEDULER", raw, "on") === "on";
/** SIMULATOR: on, off, or unset ("demo": on only when `npm start` has just loaded the demo data). */
export const parseSimulator = (raw: string | undefined): "on" | "off" | "demo" =>
  parseSwitch("SIMULATOR", raw, "demo");

/** SHUTDOWN_TIMEOUT: whole seconds ≥ 0 to wait for requests in flight on SIGTERM; unset is 8. */
export function parseShutdownTimeout(raw: string | undefined): number {
  if (unset(raw)) return DEFAULT_SHUTDOWN_TIMEOUT_SECONDS * 1000;
  if (!/^\d{1,4}$/.test(raw.trim()))
    throw new ConfigError(
      `SHUTDOWN_TIMEOUT: 停止時に処理中のリクエストを待つ秒数を0以上の整数で指定してください: "${raw}"`,
    );
  return Number(raw.trim()) * 1000;
}

/**
 * Every variable, parsed; throws one ConfigError naming each bad value on its own line
 * (`VAR: message`), so that a start fails once with everything to fix.
 */
export function readEnvironment(env: Env): Environment {
  const problems: string[] = [];
  const read = <T>(parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      return fallback;
    }
  };
  const result: Environment = {
    databaseUrl: read(() => parseDatabaseUrl(env.DATABASE_URL), DEFAULT_DATABASE_URL),
    host: unset(env.HOST) ? DEFAULT_HOST : env.HOST.trim(),
    port: read(() => parsePort(env.PORT), DEFAULT_PORT),
    nodeEnv: unset(env.NODE_ENV) ? undefined : env.NODE_ENV.trim(),
    appNow: read(() => parseAppNow(env.APP_NOW), null),
    consoleUrl: read(
      () => (unset(env.CONSOLE_URL) ? null : parseConsoleUrl(env.CONSOLE_URL)),
      null,
    ),
    trustProxy: read(() => parseTrustProxy(env.TRUST_PROXY), 0),
    apiRateLimit: read(() => parseApiRateLimit(env.API_RATE_LIMIT), DEFAULT_API_RATE_LIMIT),
    webConcurrency: read(() => parseWebConcurrency(env.WEB_CONCURRENCY, availableParallelism()), 1),
    webhookAllowHosts: read(() => parseWebhookAllowHosts(env.WEBHOOK_ALLOW_HOSTS), []),
    importMaxBytes: read(() => parseImportMaxBytes(env.IMPORT_MAX_BYTES), DEFAULT_IMPORT_MAX_BYTES),
    smtpUrl: read(() => parseSmtpUrl(env.SMTP_URL), null),
    mailFrom: unset(env.MAIL_FROM) ? DEFAULT_MAIL_FROM : env.MAIL_FROM.trim(),
    vendorApi: read(() => parseVendorApi(env.VENDOR_API_URL, env.VENDOR_API_TOKEN), null),
    scheduler: read(() => parseScheduler(env.SCHEDULER), true),
    simulator: read(() => parseSimulator(env.SIMULATOR), "demo"),
    shutdownTimeoutMs: read(
      () => parseShutdownTimeout(env.SHUTDOWN_TIMEOUT),
      DEFAULT_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    ),
  };
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return result;
}

/**
 * The process's environment, parsed on each call (cheap, and a test that changes a variable sees
 * it). Entry points call it once first so that a bad value stops them before anything starts.
 */
export function environment(): Environment {
  return readEnvironment(process.env);
}

/** The server's request-time settings from this process's environment (readServerConfig). */
export function serverConfigOfEnvironment(listen: {
  host: string;
}): ReturnType<typeof readServerConfig> {
  return readServerConfig(process.env, listen);
}

/**
 * The environment a child process (the build, pg_dump) starts with: this process's own, passed
 * on whole (PATH, locale, PG* variables), plus `extra`. Not read here: the child reads it.
 */
export function childProcessEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
