// The server's settings, read and validated once at start (scripts/start.ts), then shared with the
// built app through globalThis as the database handle is (db.server.ts): the two are loaded as
// separate module instances.
import { isIP } from "node:net";

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
    throw new ConfigError(`CONSOLE_URL: 有効なURLではありません（例: https://console.example.jp）: "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`CONSOLE_URL: http:// または https:// で始まるURLを指定してください: "${raw}"`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
    throw new ConfigError(`CONSOLE_URL: パスやクエリを含まないURLを指定してください（例: https://console.example.jp）: "${raw}"`);
  }
  return url.origin;
}

/** TRUST_PROXY: an integer ≥ 0 (proxy hops); unset is 0. */
export function parseTrustProxy(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 0;
  if (!/^\d{1,2}$/.test(raw.trim())) {
    throw new ConfigError(`TRUST_PROXY: 信頼するプロキシの段数を0以上の整数で指定してください: "${raw}"`);
  }
  return Number(raw.trim());
}

export const DEFAULT_API_RATE_LIMIT = 600;

/** API_RATE_LIMIT: requests per API key and minute, an integer ≥ 1; unset is 600. */
export function parseApiRateLimit(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_API_RATE_LIMIT;
  if (!/^[1-9]\d{0,6}$/.test(raw.trim())) {
    throw new ConfigError(`API_RATE_LIMIT: APIキーごとの1分あたりのリクエスト数を1以上の整数で指定してください: "${raw}"`);
  }
  return Number(raw.trim());
}

export const MAX_WEB_CONCURRENCY = 64;

/**
 * WEB_CONCURRENCY: how many web worker processes `npm start` runs (issue 18 item 3), an integer
 * from 1 to 64; unset is the number of cores. The one job worker comes on top.
 */
export function parseWebConcurrency(raw: string | undefined, cores: number): number {
  if (raw === undefined || raw.trim() === "") return Math.max(1, Math.min(MAX_WEB_CONCURRENCY, cores));
  const n = Number(raw.trim());
  if (!/^\d{1,2}$/.test(raw.trim()) || n < 1 || n > MAX_WEB_CONCURRENCY) {
    throw new ConfigError(`WEB_CONCURRENCY: ウェブワーカーの数を1から${MAX_WEB_CONCURRENCY}までの整数で指定してください: "${raw}"`);
  }
  return n;
}

/**
 * WEBHOOK_ALLOW_HOSTS: comma-separated host names or addresses (no scheme, port or path) that
 * webhooks may target although they resolve to private or loopback addresses, over http too; unset is none.
 */
export function parseWebhookAllowHosts(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === "") return [];
  const hosts = raw.split(",").map((h) => h.trim().toLowerCase().replace(/^\[|\]$/g, "")).filter((h) => h !== "");
  for (const h of hosts) {
    if (isIP(h) === 0 && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(h)) {
      throw new ConfigError(`WEBHOOK_ALLOW_HOSTS: ホスト名かIPアドレスをカンマ区切りで指定してください（スキームやポートは付けません）: "${h}"`);
    }
  }
  return [...new Set(hosts)];
}

/** Loopback listen addresses: only a server reachable from this machine alone may guess its own URL. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, "");
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
): { consoleUrl: string | null; trustProxy: number; apiRateLimit: number; webhookAllowHosts: string[] } {
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
    const raw = process.env.CONSOLE_URL?.trim();
    if (!raw) throw new ConfigError("CONSOLE_URL: 設定されていません");
    holder[KEY] = { consoleUrl: parseConsoleUrl(raw), trustProxy: parseTrustProxy(process.env.TRUST_PROXY),
      apiRateLimit: parseApiRateLimit(process.env.API_RATE_LIMIT), webhookAllowHosts: parseWebhookAllowHosts(process.env.WEBHOOK_ALLOW_HOSTS) };
  }
  return holder[KEY];
}
