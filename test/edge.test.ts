// The HTTP edge of issue 15 as units: settings read at start, the client address behind proxies,
// the redirect after login, download names and the text limits.
import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "../app/auth/session.server";
import {
  ConfigError,
  isLoopbackHost,
  loopbackConsoleUrl,
  parseApiRateLimit,
  parseConsoleUrl,
  parseTrustProxy,
  readServerConfig,
} from "../app/config.server";
import { emailField, passwordField, textTooLong } from "../app/lib/fields";
import { contentDisposition } from "../app/lib/http.server";
import {
  clientAddress,
  contentSecurityPolicy,
  hasSessionCookie,
  tooLargeMessage,
} from "../scripts/edge";

describe("settings read at start (item 7, item 2)", () => {
  it("takes CONSOLE_URL as an http(s) origin and refuses a path, another scheme or garbage", () => {
    expect(parseConsoleUrl("https://console.example.jp/")).toBe("https://console.example.jp");
    expect(parseConsoleUrl(" http://10.0.0.5:8080 ")).toBe("http://10.0.0.5:8080");
    for (const bad of [
      "console.example.jp",
      "ftp://console.example.jp",
      "https://console.example.jp/app",
      "https://u:p@console.example.jp",
      "https://console.example.jp/?x=1",
    ]) {
      expect(() => parseConsoleUrl(bad), bad).toThrow(/^CONSOLE_URL: /);
    }
  });

  it("defaults CONSOLE_URL only on a loopback address and refuses to start elsewhere without it", () => {
    expect(readServerConfig({}, { host: "127.0.0.1" })).toEqual({
      consoleUrl: null,
      trustProxy: 0,
      apiRateLimit: 600,
      webhookAllowHosts: [],
    });
    expect(readServerConfig({}, { host: "::1" }).consoleUrl).toBeNull();
    expect(readServerConfig({}, { host: "localhost" }).consoleUrl).toBeNull();
    expect(() => readServerConfig({}, { host: "0.0.0.0" })).toThrow(ConfigError);
    expect(() => readServerConfig({}, { host: "192.168.1.10" })).toThrow(
      /^CONSOLE_URL: HOST=192\.168\.1\.10/,
    );
    expect(
      readServerConfig({ CONSOLE_URL: "https://console.example.jp" }, { host: "0.0.0.0" })
        .consoleUrl,
    ).toBe("https://console.example.jp");
    expect(isLoopbackHost("127.8.9.1")).toBe(true);
    expect(isLoopbackHost("127.example.jp")).toBe(false);
    expect(loopbackConsoleUrl("127.0.0.1", 41234)).toBe("http://127.0.0.1:41234");
    expect(loopbackConsoleUrl("::1", 3000)).toBe("http://[::1]:3000");
  });

  it("reads TRUST_PROXY as a whole number of hops and refuses anything else", () => {
    expect(parseTrustProxy(undefined)).toBe(0);
    expect(parseTrustProxy("")).toBe(0);
    expect(parseTrustProxy("2")).toBe(2);
    for (const bad of ["-1", "1.5", "true", "one"])
      expect(() => parseTrustProxy(bad), bad).toThrow(/^TRUST_PROXY: /);
    expect(() => readServerConfig({ TRUST_PROXY: "yes" }, { host: "127.0.0.1" })).toThrow(
      ConfigError,
    );
  });

  it("reads API_RATE_LIMIT as requests per key and minute, 600 when unset (issue 19)", () => {
    expect(parseApiRateLimit(undefined)).toBe(600);
    expect(parseApiRateLimit(" 5 ")).toBe(5);
    for (const bad of ["0", "-1", "1.5", "many"])
      expect(() => parseApiRateLimit(bad), bad).toThrow(/^API_RATE_LIMIT: /);
    expect(readServerConfig({ API_RATE_LIMIT: "120" }, { host: "127.0.0.1" }).apiRateLimit).toBe(
      120,
    );
  });
});

describe("client address (item 2)", () => {
  const xff = "203.0.113.9, 198.51.100.7, 10.0.0.2";
  it("is the socket's without trusted proxies, whatever X-Forwarded-For says", () => {
    expect(clientAddress("10.0.0.1", xff, 0)).toBe("10.0.0.1");
    expect(clientAddress(undefined, undefined, 0)).toBe("unknown");
  });
  it("is the N-th address from the right with N trusted hops, the leftmost when the list is shorter", () => {
    expect(clientAddress("10.0.0.1", xff, 1)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.1", xff, 2)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.1", xff, 3)).toBe("203.0.113.9");
    expect(clientAddress("10.0.0.1", xff, 5)).toBe("203.0.113.9");
    expect(clientAddress("10.0.0.1", "2001:db8::1", 1)).toBe("2001:db8::1");
  });
  it("falls back to the socket's when the header is missing, empty or not an address", () => {
    expect(clientAddress("10.0.0.1", undefined, 1)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", " , ", 1)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", "1.2.3.4, <script>", 1)).toBe("10.0.0.1");
  });
});

describe("redirect after login (item 3)", () => {
  it("sends every path that leaves the console, or cannot be a header, to /home", () => {
    // The five targets found by the probe, as the form delivers them (percent-decoded).
    expect(safeRedirectPath(decodeURIComponent("%2F%09%2Fevil.example%2Fphish"))).toBe("/home");
    expect(safeRedirectPath(decodeURIComponent("%2F.%2F%5Cevil.example%2Fphish"))).toBe("/home");
    expect(safeRedirectPath(decodeURIComponent("/%0A/x"))).toBe("/home");
    expect(safeRedirectPath(decodeURIComponent("/%0D%0A/x"))).toBe("/home");
    expect(safeRedirectPath(decodeURIComponent("/%E3%80%80/x"))).toBe("/%E3%80%80/x");
    for (const bad of [
      "//evil.example/",
      "/\\evil.example",
      "https://evil.example/",
      "/..//evil.example",
      "x",
      "",
      null,
    ]) {
      expect(safeRedirectPath(bad), String(bad)).toBe("/home");
    }
  });
  it("keeps the console's own paths with their query and fragment", () => {
    expect(safeRedirectPath("/contracts/3?tab=a#b")).toBe("/contracts/3?tab=a#b");
    expect(safeRedirectPath("/contracts/./3")).toBe("/contracts/3");
    expect(safeRedirectPath("/請求書")).toBe("/%E8%AB%8B%E6%B1%82%E6%9B%B8");
  });
});

describe("download names (item 8)", () => {
  it("keeps quotes, backslashes, control characters and non-ASCII out of the ASCII name and encodes the real one", () => {
    expect(contentDisposition('月次レポート_K-"1\\2\r\n_2026-10.pdf')).toBe(
      "attachment; filename=\"_______K-_1_2___2026-10.pdf\"; filename*=UTF-8''%E6%9C%88%E6%AC%A1%E3%83%AC%E3%83%9D%E3%83%BC%E3%83%88_K-%221%5C2%0D%0A_2026-10.pdf",
    );
    expect(contentDisposition("a'(b)*.csv")).toBe(
      "attachment; filename=\"a'(b)*.csv\"; filename*=UTF-8''a%27%28b%29%2A.csv",
    );
  });
});

describe("headers and limits", () => {
  it("names the nonce in a strict policy", () => {
    expect(contentSecurityPolicy("abc")).toBe(
      "default-src 'self'; script-src 'self' 'nonce-abc'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
    );
    expect(tooLargeMessage(64 * 1024)).toBe("送信されたデータが大きすぎます（上限 64KB）。");
  });
  it("tells a session cookie from a similar name", () => {
    expect(hasSessionCookie("a=1; console_session=xyz")).toBe(true);
    expect(hasSessionCookie("not_console_session=xyz")).toBe(false);
    expect(hasSessionCookie(undefined)).toBe(false);
  });
  it("limits e-mail to 254 and passwords to 200 characters, in Japanese", () => {
    const email = `${"a".repeat(250)}@x.jp`;
    expect(emailField().safeParse(email).error?.issues[0].message).toBe(
      "メールアドレスは254文字以内で入力してください",
    );
    expect(emailField().safeParse(`${"a".repeat(248)}@x.jp`).success).toBe(true);
    expect(passwordField().safeParse("p".repeat(201)).error?.issues[0].message).toBe(
      "パスワードは200文字以内で入力してください",
    );
    expect(textTooLong("x".repeat(2001), "note", "メモ")).toBe(
      "メモは2,000文字以内で入力してください",
    );
    expect(textTooLong("x".repeat(2000), "note", "メモ")).toBeNull();
  });
});
