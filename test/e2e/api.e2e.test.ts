// The partner API against the real server (issue 19, items 1 and 2): keys made by the command,
// tenancy on every GET endpoint, scopes, revocation, pagination, Idempotency-Key and the rate
// limit shared by two server processes on one database. Plain fetch, no browser, no cookies and
// no Origin header (the edge's CSRF check applies to cookie-authenticated POSTs only).
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/demo/seed";
import {
  ApplicationSchema,
  ContractDetailSchema,
  ContractSchema,
  CreditNoteDetailSchema,
  CreditNoteSchema,
  CustomerSchema,
  DeviceSchema,
  IncidentSchema,
  InvoiceDetailSchema,
  InvoiceSchema,
  LicenseDetailSchema,
  LicenseSchema,
  MainServiceResultSchema,
  MainServiceSchema,
  pageOf,
  ProblemSchema,
  ThreatReportSchema,
} from "../../app/api/schemas";
import { z } from "zod";
import { CreatedWebhookEndpointSchema, WebhookEndpointSchema } from "../../app/webhooks/schemas";
import { countRows, queryDatabase, startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
const keys: Record<string, string> = {};

function apikeys(databasePath: string, ...args: string[]) {
  const r = spawnSync("node_modules/.bin/tsx", ["scripts/apikeys.ts", ...args], {
    env: { ...process.env, DATABASE_URL: `file:${databasePath}` },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function createKey(databasePath: string, ...args: string[]): string {
  const r = apikeys(databasePath, "create", ...args);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^slk_[A-Za-z0-9_-]{43}\n$/);
  return r.stdout.trim();
}

const query = <T>(sql: string, ...params: unknown[]) => queryDatabase<T>(server, sql, ...params);
const count = (table: string) => countRows(server, table);

async function api(key: string, path: string, init: RequestInit = {}) {
  // A connection per request: a blocking spawnSync (the key and report commands) can outlast the
  // server's keep-alive timeout on a loaded machine, and a reused socket then fails ("other side closed").
  const response = await fetch(`${server.url}/api/v1${path}`, {
    ...init,
    headers: {
      Connection: "close",
      Authorization: `Bearer ${key}`,
      ...(init.body ? { "Content-Type": "application/json" } : {}),
      ...init.headers,
    },
  });
  const type = response.headers.get("content-type") ?? "";
  const body = type.includes("json") ? await response.json() : await response.arrayBuffer();
  return {
    status: response.status,
    type,
    body: body as any,
    text: type.includes("json") ? JSON.stringify(body) : "",
    headers: response.headers,
  };
}

/** Every row of a list, page by page; fails on a repeated row. */
async function walk(key: string, path: string, id: (row: any) => string | number) {
  const seen: (string | number)[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const r = await api(
      key,
      `${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    expect(r.status, r.text).toBe(200);
    seen.push(...r.body.data.map(id));
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor && pages < 500);
  expect(new Set(seen).size).toBe(seen.length);
  return { seen, pages };
}

beforeAll(async () => {
  server = await startConsole({ WEBHOOK_ALLOW_HOSTS: "127.0.0.1" });
  keys.r1 = createKey(
    server.databasePath,
    "--reseller",
    "R1",
    "--name",
    "PSA連携",
    "--scope",
    "write",
  );
  keys.r1read = createKey(
    server.databasePath,
    "--reseller",
    "R1",
    "--name",
    "閲覧",
    "--scope",
    "read",
  );
  keys.r2 = createKey(
    server.databasePath,
    "--reseller",
    "R2",
    "--name",
    "PSA連携",
    "--scope",
    "write",
  );
  keys.provider = createKey(
    server.databasePath,
    "--provider",
    "--name",
    "ISP連携",
    "--scope",
    "write",
  );
  // Documents the demo data lacks, made by the console's own operations: a credit note on an
  // invoice of each reseller, and a threat report of a contract of each (the `report` command).
  const env = { ...process.env, DATABASE_URL: `file:${server.databasePath}` };
  const month = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 7);
  for (const reseller of ["R1", "R2"]) {
    const invoice = query<{ invoice_number: string }>(
      "select invoice_number from invoices join contracts on contracts.id = contract_id join customers on customers.id = customer_id join resellers on resellers.id = reseller_id where resellers.ref = ? order by invoices.seq limit 1",
      reseller,
    )[0];
    const note = spawnSync(
      "node_modules/.bin/tsx",
      ["test/e2e/support/issue-credit-note.ts", invoice.invoice_number, "100"],
      { env, encoding: "utf8" },
    );
    expect(note.stderr).toBe("");
    const contract = query<{ ref: string }>(
      "select contracts.ref from contracts join customers on customers.id = customer_id join resellers on resellers.id = reseller_id where resellers.ref = ? and status = 'active' order by contracts.ref limit 1",
      reseller,
    )[0];
    const out = join(mkdtempSync(join(tmpdir(), "api-report-")), "r.pdf");
    const report = spawnSync(
      "node_modules/.bin/tsx",
      ["scripts/report.ts", "--contract", contract.ref, "--month", month, "--out", out],
      { env, encoding: "utf8" },
    );
    expect([report.status, report.stderr]).toEqual([0, ""]);
  }
}, 240_000);
afterAll(() => server?.stop());

const application = (lineId: string, customer?: string) => ({
  ...(customer ? { customer } : {}),
  holderName: "株式会社テスト商事",
  holderAddress: "大阪府大阪市北区梅田1-1-1",
  holderPhone: "06-0000-0000",
  holderEmail: "it@test-shoji.example",
  lineId,
  area: "west",
  endpointSeats: 3,
  endpointOwnership: "rental",
  wishedStart: "2027-03-01",
  consent: true,
});

describe("keys", () => {
  it("stores only the hash and a prefix, names are unique per tenant, and the command refuses mistakes writing nothing", () => {
    const rows = query<{ name: string; key_sha256: string; prefix: string }>(
      "select name, key_sha256, prefix from api_keys order by id",
    );
    expect(rows.map((r) => r.name)).toEqual(["PSA連携", "閲覧", "PSA連携", "ISP連携"]);
    expect(rows[0].key_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].prefix).toBe(keys.r1.slice(0, 12));
    expect(JSON.stringify(rows)).not.toContain(keys.r1);
    const before = count("api_keys");
    const dup = apikeys(
      server.databasePath,
      "create",
      "--reseller",
      "R1",
      "--name",
      "PSA連携",
      "--scope",
      "read",
    );
    expect([dup.status, dup.stdout, dup.stderr]).toEqual([
      1,
      "",
      '--name: a live key named "PSA連携" already exists\n',
    ]);
    const scope = apikeys(
      server.databasePath,
      "create",
      "--provider",
      "--name",
      "x",
      "--scope",
      "admin",
    );
    expect([scope.status, scope.stdout, scope.stderr]).toEqual([
      1,
      "",
      '--scope: expected read or write, got "admin"\n',
    ]);
    const reseller = apikeys(
      server.databasePath,
      "create",
      "--reseller",
      "R9",
      "--name",
      "x",
      "--scope",
      "read",
    );
    expect([reseller.status, reseller.stdout, reseller.stderr]).toEqual([
      1,
      "",
      '--reseller: unknown reseller "R9"\n',
    ]);
    expect(count("api_keys")).toBe(before);
    expect(
      query<{ n: number }>("select count(*) as n from audit_log where action = 'api_key.create'")[0]
        .n,
    ).toBe(4);
  });

  it("answers 401 without a key, with a wrong key, and at once after revocation", async () => {
    const none = await fetch(`${server.url}/api/v1/customers`);
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect((await none.json()).code).toBe("unauthorized");
    expect((await api("slk_wrong", "/customers")).status).toBe(401);

    const temp = createKey(
      server.databasePath,
      "--reseller",
      "R1",
      "--name",
      "一時",
      "--scope",
      "read",
    );
    expect((await api(temp, "/customers")).status).toBe(200);
    expect(
      query<{ last_used_at: string | null }>(
        "select last_used_at from api_keys where name = '一時'",
      )[0].last_used_at,
    ).not.toBeNull();
    const revoked = apikeys(server.databasePath, "revoke", "--reseller", "R1", "--name", "一時");
    expect([revoked.status, revoked.stdout]).toEqual([0, ""]);
    const after = await api(temp, "/customers");
    expect([after.status, after.body.code, after.body.title]).toEqual([
      401,
      "unauthorized",
      "認証が必要です",
    ]);
    expect(
      query<{ n: number }>("select count(*) as n from audit_log where action = 'api_key.revoke'")[0]
        .n,
    ).toBe(1);
  });
});

describe("tenancy", () => {
  it("a reseller's key lists exactly its customers' records", async () => {
    const r1 = query<{ id: number }>("select id from resellers where ref = 'R1'")[0].id;
    const own = (sql: string) =>
      query<{ v: string | number }>(sql, r1)
        .map((r) => r.v)
        .sort();
    const customers = await walk(keys.r1, "/customers?limit=2", (c) => c.ref);
    expect(customers.seen.sort()).toEqual(
      own("select ref as v from customers where reseller_id = ?"),
    );
    const contracts = await walk(keys.r1, "/contracts?limit=3", (k) => k.ref);
    expect(contracts.seen.sort()).toEqual(
      own(
        "select contracts.ref as v from contracts join customers on customers.id = customer_id where reseller_id = ?",
      ),
    );
    const invoices = await walk(keys.r1, "/invoices?limit=7", (i) => i.number);
    const ownInvoices = own(
      "select invoice_number as v from invoices join contracts on contracts.id = contract_id join customers on customers.id = customer_id where reseller_id = ?",
    );
    expect(ownInvoices.length).toBeGreaterThan(7);
    expect(invoices.seen.sort()).toEqual(ownInvoices);
    const incidents = await walk(keys.r1, "/incidents?limit=2", (i) => i.id);
    expect(incidents.seen.sort()).toEqual(
      own(
        "select incidents.id as v from incidents join contracts on contracts.id = contract_id join customers on customers.id = customer_id where reseller_id = ?",
      ),
    );
    const devices = await walk(keys.r1, "/devices?limit=5", (d) => `${d.contract}/${d.name}`);
    const ownDevices = own(
      "select contracts.ref || '/' || devices.name as v from devices join contracts on contracts.id = contract_id join customers on customers.id = customer_id where reseller_id = ?",
    );
    expect(ownDevices.length).toBeGreaterThan(5);
    expect(devices.seen.sort()).toEqual(ownDevices);
    const licenses = await walk(keys.r1, "/licenses?limit=2", (l) => l.ref);
    const ownLicenses = own(
      "select licenses.ref as v from licenses join customers on customers.id = customer_id where reseller_id = ?",
    );
    expect(ownLicenses.length).toBeGreaterThan(2);
    expect(licenses.seen.sort()).toEqual(ownLicenses);
    const notes = await walk(keys.r1, "/credit-notes?limit=1", (c) => c.number);
    expect(notes.seen.sort()).toEqual(
      own(
        "select credit_note_number as v from credit_notes join invoices on invoices.id = invoice_id join contracts on contracts.id = contract_id join customers on customers.id = customer_id where reseller_id = ?",
      ),
    );
    expect(notes.seen.length).toBe(1);
    const reports = await walk(keys.r1, "/threat-reports?limit=1", (r) => r.id);
    expect(reports.seen.sort()).toEqual(
      own(
        "select threat_reports.id as v from threat_reports join contracts on contracts.id = contract_id join customers on customers.id = customer_id where reseller_id = ?",
      ),
    );
    expect(reports.seen.length).toBe(1);
    const applications = await walk(keys.r1, "/applications?limit=1", (a) => a.ref);
    expect(applications.seen.sort()).toEqual(
      own("select ref as v from applications where reseller_id = ?"),
    );
  });

  it("every GET endpoint answers a foreign ref with 404 problem details, and no answer names a foreign record", async () => {
    const foreignApp = await api(keys.r2, "/applications", {
      method: "POST",
      body: JSON.stringify(application("COP7000001")),
    });
    expect(foreignApp.status, foreignApp.text).toBe(201);
    const foreignCustomers = query<{ ref: string; name: string }>(
      "select ref, name from customers where reseller_id is null or reseller_id <> (select id from resellers where ref = 'R1')",
    );
    const foreignContracts = query<{ ref: string; line_id: string }>(
      "select contracts.ref, line_id from contracts join customers on customers.id = customer_id where reseller_id is null or reseller_id <> (select id from resellers where ref = 'R1')",
    );
    const foreignInvoices = query<{ invoice_number: string }>(
      "select invoice_number from invoices join contracts on contracts.id = contract_id join customers on customers.id = customer_id where reseller_id is null or reseller_id <> (select id from resellers where ref = 'R1') limit 5",
    );
    const foreignIncidents = query<{ id: number }>(
      "select incidents.id from incidents join contracts on contracts.id = contract_id join customers on customers.id = customer_id where reseller_id is null or reseller_id <> (select id from resellers where ref = 'R1') limit 5",
    );
    expect([
      foreignCustomers.length > 0,
      foreignContracts.length > 0,
      foreignInvoices.length,
      foreignIncidents.length,
    ]).toEqual([true, true, 5, 5]);
    const foreignDevices = query<{ contract: string; name: string }>(
      "select contracts.ref as contract, devices.name from devices join contracts on contracts.id = contract_id join customers on customers.id = customer_id where reseller_id is null or reseller_id <> (select id from resellers where ref = 'R1') limit 5",
    );
    const foreignNotes = query<{ credit_note_number: string }>(
      "select credit_note_number from credit_notes join invoices on invoices.id = invoice_id join contracts on contracts.id = contract_id join customers on customers.id = customer_id where reseller_id <> (select id from resellers where ref = 'R1')",
    );
    const foreignReports = query<{ id: number }>(
      "select threat_reports.id from threat_reports join contracts on contracts.id = contract_id join customers on customers.id = customer_id where reseller_id <> (select id from resellers where ref = 'R1')",
    );
    const foreignLicenses = query<{ ref: string }>(
      "select licenses.ref from licenses join customers on customers.id = customer_id where reseller_id is null or reseller_id <> (select id from resellers where ref = 'R1')",
    );
    expect([
      foreignDevices.length,
      foreignNotes.length,
      foreignReports.length,
      foreignLicenses.length > 0,
    ]).toEqual([5, 1, 1, true]);
    const paths = [
      ...foreignCustomers.flatMap((c) => [
        `/customers/${c.ref}`,
        `/contracts?customer=${c.ref}`,
        `/invoices?customer=${c.ref}`,
        `/devices?customer=${c.ref}`,
        `/credit-notes?customer=${c.ref}`,
        `/licenses?customer=${c.ref}`,
        `/customers/${c.ref}/main-services`,
      ]),
      ...foreignContracts.flatMap((k) => [
        `/devices?contract=${k.ref}`,
        `/threat-reports?contract=${k.ref}`,
      ]),
      ...foreignDevices.map(
        (d) => `/contracts/${d.contract}/devices/${encodeURIComponent(d.name)}`,
      ),
      ...foreignNotes.flatMap((c) => [
        `/credit-notes/${c.credit_note_number}`,
        `/credit-notes/${c.credit_note_number}/pdf`,
      ]),
      ...foreignInvoices.map((i) => `/credit-notes?invoice=${i.invoice_number}`),
      ...foreignReports.map((r) => `/threat-reports/${r.id}/pdf`),
      ...foreignLicenses.map((l) => `/licenses/${l.ref}`),
      ...foreignContracts.flatMap((k) => [
        `/contracts/${k.ref}`,
        `/contracts/${k.ref}?terminationWished=2027-06-30`,
        `/incidents?contract=${k.ref}`,
      ]),
      ...foreignInvoices.flatMap((i) => [
        `/invoices/${i.invoice_number}`,
        `/invoices/${i.invoice_number}/pdf`,
      ]),
      ...foreignIncidents.map((i) => `/incidents/${i.id}`),
      `/applications/${foreignApp.body.ref}`,
    ];
    for (const path of paths) {
      const r = await api(keys.r1, path);
      expect([path, r.status, r.type, r.body.code]).toEqual([
        path,
        404,
        "application/problem+json; charset=utf-8",
        "not_found",
      ]);
    }
    // The same paths with a made-up ref answer the same.
    const missing = await api(keys.r1, "/customers/C999");
    expect(missing.body.detail).toBe(
      (await api(keys.r1, `/customers/${foreignCustomers[0].ref}`)).body.detail,
    );
    // Foreign POSTs are not found either.
    const ack = await api(keys.provider, `/incidents/999999/acknowledge`, {
      method: "POST",
      body: "{}",
    });
    expect(ack.status).toBe(404);
    const [licenses, services, audits] = [
      count("licenses"),
      count("isp_main_services"),
      count("audit_log"),
    ];
    for (const l of foreignLicenses) {
      const end = await api(keys.r1, `/licenses/${l.ref}/end`, { method: "POST", body: "{}" });
      expect([l.ref, end.status, end.body.code]).toEqual([l.ref, 404, "not_found"]);
    }
    const foreignService = await api(keys.r1, `/customers/C5/main-services`, {
      method: "POST",
      body: JSON.stringify({ service: "NET-X1", kind: "internet", status: "active" }),
    });
    expect([foreignService.status, foreignService.body.code]).toEqual([404, "not_found"]);
    const foreignIsp = await api(keys.r1, "/licenses/isp", {
      method: "POST",
      body: JSON.stringify({ customer: "C5", product: "web_filtering_win", devices: 1 }),
    });
    expect([foreignIsp.status, foreignIsp.body.errors]).toEqual([
      422,
      { customer: "お客さま C5 が見つかりません" },
    ]);
    expect([count("licenses"), count("isp_main_services"), count("audit_log")]).toEqual([
      licenses,
      services,
      audits,
    ]);

    const lists = await Promise.all(
      [
        "/customers?limit=200",
        "/contracts?limit=200",
        "/invoices?limit=200",
        "/incidents?limit=200",
        "/devices?limit=200",
        "/licenses?limit=200",
        "/credit-notes?limit=200",
        "/threat-reports?limit=200",
        "/applications?limit=200",
      ].map((p) => api(keys.r1, p)),
    );
    const all = lists.map((l) => l.text).join("\n");
    for (const c of foreignCustomers) expect(all).not.toContain(c.name);
    for (const k of foreignContracts) expect(all).not.toContain(`"${k.ref}"`);
  });

  it("the own records open, with the termination quote the command prints", async () => {
    const contract = query<{ ref: string }>(
      "select contracts.ref from contracts join customers on customers.id = customer_id join resellers on resellers.id = reseller_id where resellers.ref = 'R1' and status = 'active' order by contracts.ref limit 1",
    )[0];
    const r = await api(keys.r1, `/contracts/${contract.ref}?terminationWished=2027-06-30`);
    expect(r.status).toBe(200);
    const cli = spawnSync(
      "node_modules/.bin/tsx",
      [
        "scripts/contracts.ts",
        "quote-termination",
        "--contract",
        contract.ref,
        "--wished",
        "2027-06-30",
        "--json",
      ],
      {
        env: { ...process.env, DATABASE_URL: `file:${server.databasePath}` },
        encoding: "utf8",
      },
    );
    expect(cli.status).toBe(0);
    expect(r.body.terminationQuote).toEqual(JSON.parse(cli.stdout));
    expect(r.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
    const bad = await api(keys.r1, `/contracts/${contract.ref}?terminationWished=2027-02-30`);
    expect([bad.status, bad.body.code, bad.body.errors]).toEqual([
      422,
      "validation_failed",
      { terminationWished: "terminationWishedは日付（YYYY-MM-DD）で指定してください" },
    ]);

    const invoice = (await api(keys.r1, "/invoices?limit=1")).body.data[0];
    const row = query<{ total_yen: number }>(
      "select total_yen from invoices where invoice_number = ?",
      invoice.number,
    )[0];
    expect(invoice.totalYen).toBe(row.total_yen);
    const pdf = await api(keys.r1, `/invoices/${invoice.number}/pdf`);
    expect([pdf.status, pdf.type]).toEqual([200, "application/pdf"]);
    expect(
      Buffer.from(pdf.body as ArrayBuffer)
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
  });
});

describe("scopes and writes", () => {
  it("a read key cannot POST (403 forbidden_scope) and changes nothing", async () => {
    const before = count("applications");
    const r = await api(keys.r1read, "/applications", {
      method: "POST",
      body: JSON.stringify(application("COP7000002")),
    });
    expect([r.status, r.type, r.body.code]).toEqual([
      403,
      "application/problem+json; charset=utf-8",
      "forbidden_scope",
    ]);
    expect(r.body.detail).toContain("読み取り専用");
    expect(count("applications")).toBe(before);
    const [licenses, services, audits] = [
      count("licenses"),
      count("isp_main_services"),
      count("audit_log"),
    ];
    const isp = query<{ ref: string }>(
      "select licenses.ref from licenses join customers on customers.id = customer_id where customers.ref = 'C1' and channel = 'isp' limit 1",
    )[0];
    for (const [path, body] of [
      ["/licenses/isp", { customer: "C2", product: "web_filtering_win", devices: 1 }],
      [`/licenses/${isp.ref}/end`, {}],
      ["/customers/C2/main-services", { service: "NET-R1", kind: "internet", status: "active" }],
    ] as const) {
      const w = await api(keys.r1read, path, { method: "POST", body: JSON.stringify(body) });
      expect([path, w.status, w.body.code]).toEqual([path, 403, "forbidden_scope"]);
    }
    expect([count("licenses"), count("isp_main_services"), count("audit_log")]).toEqual([
      licenses,
      services,
      audits,
    ]);
  });

  it("validation errors name each field in Japanese", async () => {
    const r = await api(keys.r1, "/applications", {
      method: "POST",
      body: JSON.stringify({ ...application("XYZ1"), holderEmail: "nope", consent: false }),
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe("validation_failed");
    expect(r.body.errors).toEqual({
      holderEmail: "メールアドレスの形式が正しくありません",
      lineId: "回線IDは「CAF」または「COP」に続く数字で入力してください（例：CAF1234567）",
      consent: "個人情報の取扱いへの同意が必要です",
    });
    const json = await api(keys.r1, "/applications", { method: "POST", body: "{not json" });
    expect([json.status, json.body.code]).toEqual([400, "invalid_json"]);
    // The console's operation refuses a line held by a live contract: the line id's error, the
    // console's text, with the same 422 as the body's own checks (issue 16 item 1).
    const [held] = query<{ line_id: string; ref: string }>(
      "select line_id, ref from contracts where status <> 'terminated' order by ref limit 1",
    );
    const before = count("applications");
    const taken = await api(keys.r1, "/applications", {
      method: "POST",
      body: JSON.stringify(application(held.line_id, "C1")),
    });
    expect([taken.status, taken.body.code, taken.body.errors]).toEqual([
      422,
      "validation_failed",
      {
        lineId: `この回線（${held.line_id}）はすでに契約 ${held.ref} で利用中です。1回線につき1契約です（規約第6条）`,
      },
    ]);
    expect(count("applications")).toBe(before);
  });

  it("an Idempotency-Key replay returns the first answer and creates nothing; another body with the key is 409", async () => {
    const body = JSON.stringify(application("COP7000003", "C1"));
    const headers = { "Idempotency-Key": "order-42" };
    const [apps, audits] = [count("applications"), count("audit_log")];
    const first = await api(keys.r1, "/applications", { method: "POST", body, headers });
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({
      status: "applied",
      customer: "C1",
      lineId: "COP7000003",
      endpointSeats: 3,
    });
    expect([count("applications"), count("audit_log")]).toEqual([apps + 1, audits + 1]);
    const replay = await api(keys.r1, "/applications", { method: "POST", body, headers });
    expect([replay.status, replay.text, replay.headers.get("idempotent-replayed")]).toEqual([
      201,
      first.text,
      "true",
    ]);
    expect([count("applications"), count("audit_log")]).toEqual([apps + 1, audits + 1]);
    const other = await api(keys.r1, "/applications", {
      method: "POST",
      body: JSON.stringify(application("COP7000004", "C1")),
      headers,
    });
    expect([other.status, other.body.code]).toEqual([409, "idempotency_conflict"]);
    expect(count("applications")).toBe(apps + 1);
    // Another key's Idempotency-Key of the same name is its own.
    const r2 = await api(keys.r2, "/applications", {
      method: "POST",
      body: JSON.stringify(application("COP7000005")),
      headers,
    });
    expect(r2.status).toBe(201);
    const got = await api(keys.r1, `/applications/${first.body.ref}`);
    expect(got.body).toEqual(first.body);
  });

  it("incidents: a reseller's key may not acknowledge (as in the console), the provider's may, once; notes are appended", async () => {
    const incident = query<{ id: number }>(
      "select id from incidents where status = 'new' order by id limit 1",
    )[0];
    expect(incident).toBeDefined();
    const reseller = await api(keys.r1, `/incidents/${incident.id}/acknowledge`, {
      method: "POST",
      body: "{}",
    });
    expect([reseller.status, reseller.body.code]).toEqual([403, "forbidden_role"]);
    const ack = await api(keys.provider, `/incidents/${incident.id}/acknowledge`, {
      method: "POST",
      body: JSON.stringify({ assignee: "NOC 山田" }),
    });
    expect([ack.status, ack.body.status, ack.body.assignee]).toEqual([
      200,
      "acknowledged",
      "NOC 山田",
    ]);
    const again = await api(keys.provider, `/incidents/${incident.id}/acknowledge`, {
      method: "POST",
      body: "{}",
    });
    expect([again.status, again.body.code, again.body.detail]).toEqual([
      409,
      "conflict",
      "すでに対応中です",
    ]);
    await api(keys.provider, `/incidents/${incident.id}/notes`, {
      method: "POST",
      body: JSON.stringify({ note: "一次切り分け完了" }),
    });
    const noted = await api(keys.provider, `/incidents/${incident.id}/notes`, {
      method: "POST",
      body: JSON.stringify({ note: "お客さまへ連絡済み" }),
    });
    expect(noted.status).toBe(201);
    expect(noted.body.notes).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00 API連携（ISP連携）: 一次切り分け完了\n.*API連携（ISP連携）: お客さまへ連絡済み$/,
    );
    const audits = query<{ action: string; user_email: string }>(
      "select action, user_email from audit_log where entity = 'incident' and entity_id = ? order by id",
      String(incident.id),
    );
    expect(audits).toEqual([
      { action: "incident.acknowledge", user_email: "apikey:ISP連携" },
      { action: "incident.note", user_email: "apikey:ISP連携" },
      { action: "incident.note", user_email: "apikey:ISP連携" },
    ]);
    const empty = await api(keys.provider, `/incidents/${incident.id}/notes`, {
      method: "POST",
      body: JSON.stringify({ note: " " }),
    });
    expect([empty.status, empty.body.errors]).toEqual([422, { note: "メモを入力してください" }]);
  });
});

describe("licences: ISP provisioning and main services (L-4), idempotent", () => {
  const counts = () => [
    count("licenses"),
    count("isp_applications"),
    count("isp_main_services"),
    count("audit_log"),
  ];

  it("applies once per Idempotency-Key, also after the stored answer is gone, and ends the contract once", async () => {
    const before = counts();
    const body = JSON.stringify({ customer: "C2", product: "web_filtering_win", devices: 1 });
    const headers = { "Idempotency-Key": "isp-order-7" };
    const first = await api(keys.r1, "/licenses/isp", { method: "POST", body, headers });
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get("location")).toBe(`/api/v1/licenses/${first.body.ref}`);
    expect(first.body).toMatchObject({
      customer: "C2",
      channel: "isp",
      state: "active",
      displayState: "active",
      seats: 1,
      priceYen: 220,
      isp: { devices: 1, monthlyYen: 220, status: "active", cancellation: null },
    });
    expect(() => LicenseDetailSchema.parse(first.body)).not.toThrow();
    expect(first.body.ref).toBe(`ISP-${first.body.isp.contractNumber}`);
    const created = [before[0] + 1, before[1] + 1, before[2], before[3] + 1];
    expect(counts()).toEqual(created);
    const replay = await api(keys.r1, "/licenses/isp", { method: "POST", body, headers });
    expect([replay.status, replay.text, replay.headers.get("idempotent-replayed")]).toEqual([
      201,
      first.text,
      "true",
    ]);
    expect(counts()).toEqual(created);
    // A day later the replay table no longer has the answer (daily pruning); the ISP key of decision 0007 still finds the contract.
    const db = new SQLite(server.databasePath);
    try {
      expect(
        db
          .prepare("delete from idempotency_keys where key = ? and purpose = 'api'")
          .run("isp-order-7").changes,
      ).toBe(1);
    } finally {
      db.close();
    }
    const later = await api(keys.r1, "/licenses/isp", { method: "POST", body, headers });
    expect([later.status, later.body.ref, later.body.isp.pin]).toEqual([
      200,
      first.body.ref,
      first.body.isp.pin,
    ]);
    expect(counts()).toEqual(created);
    // The same key with another application is refused, by the replay table and by the ISP key alike.
    const other = await api(keys.r1, "/licenses/isp", {
      method: "POST",
      body: JSON.stringify({ customer: "C2", product: "web_filtering_win", devices: 2 }),
      headers,
    });
    expect([other.status, other.body.code]).toEqual([409, "idempotency_conflict"]);
    const tooMany = await api(keys.r1, "/licenses/isp", {
      method: "POST",
      body: JSON.stringify({ customer: "C2", product: "web_filtering_win", devices: 2 }),
    });
    expect([tooMany.status, Object.keys(tooMany.body.errors ?? {})]).toEqual([422, ["devices"]]);
    expect(counts()).toEqual(created);

    const endHeaders = { "Idempotency-Key": "isp-end-7" };
    const ended = await api(keys.r1, `/licenses/${first.body.ref}/end`, {
      method: "POST",
      body: "{}",
      headers: endHeaders,
    });
    expect(ended.status, ended.text).toBe(200);
    const monthEnd = query<{ cancel_effective_on: string }>(
      "select cancel_effective_on from isp_applications where contract_number = ?",
      first.body.isp.contractNumber,
    )[0].cancel_effective_on;
    expect(ended.body).toMatchObject({
      state: "cancelled",
      displayState: "isp_cancel_pending",
      effectiveEnd: monthEnd,
      isp: { status: "cancellation_pending", cancellation: { effectiveEnd: monthEnd } },
    });
    const afterEnd = [created[0], created[1], created[2], created[3] + 1];
    expect(counts()).toEqual(afterEnd);
    const endReplay = await api(keys.r1, `/licenses/${first.body.ref}/end`, {
      method: "POST",
      body: "{}",
      headers: endHeaders,
    });
    expect([endReplay.status, endReplay.text]).toEqual([200, ended.text]);
    const again = await api(keys.r1, `/licenses/${first.body.ref}/end`, {
      method: "POST",
      body: "{}",
    });
    expect([again.status, again.body.code]).toEqual([409, "conflict"]);
    expect(counts()).toEqual(afterEnd);
    const notIsp = query<{ ref: string }>(
      "select licenses.ref from licenses join customers on customers.id = customer_id where customers.ref = 'C1' and channel = 'vendor_store' limit 1",
    )[0];
    const refused = await api(keys.r1, `/licenses/${notIsp.ref}/end`, {
      method: "POST",
      body: "{}",
    });
    expect([refused.status, refused.body.code]).toEqual([409, "conflict"]);
    expect(
      query<{ action: string; user_email: string }>(
        "select action, user_email from audit_log where entity_id = ? order by id",
        first.body.ref,
      ),
    ).toEqual([
      { action: "isp.apply", user_email: "apikey:PSA連携" },
      { action: "isp.cancel", user_email: "apikey:PSA連携" },
    ]);
  });

  it("records the main services as the command does; ending the last one ends ISP security (L-4); a replay records nothing", async () => {
    const applied = await api(keys.r1, "/licenses/isp", {
      method: "POST",
      body: JSON.stringify({ customer: "C3", product: "multi_device_security", devices: 3 }),
    });
    expect(applied.status, applied.text).toBe(201);
    const before = counts();
    const first = await api(keys.r1, "/customers/C3/main-services", {
      method: "POST",
      body: JSON.stringify({
        service: "net-c3",
        kind: "internet",
        name: "光回線",
        status: "active",
      }),
    });
    expect([first.status, first.body]).toEqual([
      201,
      {
        customer: "C3",
        service: "NET-C3",
        kind: "internet",
        name: "光回線",
        status: "active",
        lastDay: null,
        created: true,
        ended: [],
      },
    ]);
    expect(() => MainServiceResultSchema.parse(first.body)).not.toThrow();
    const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    const headers = { "Idempotency-Key": "main-end-c3" };
    const body = JSON.stringify({ service: "NET-C3", status: "ended", lastDay: today });
    const end = await api(keys.r1, "/customers/C3/main-services", {
      method: "POST",
      body,
      headers,
    });
    expect(end.status, end.text).toBe(200);
    const endedRow = query<{ ended_on: string; contract_number: string }>(
      "select ended_on, contract_number from isp_applications join customers on customers.id = customer_id where customers.ref = 'C3'",
    );
    expect(endedRow).toEqual([
      { ended_on: today, contract_number: applied.body.isp.contractNumber },
    ]);
    expect(end.body).toEqual({
      customer: "C3",
      service: "NET-C3",
      kind: "internet",
      name: "光回線",
      status: "ended",
      lastDay: today,
      created: false,
      ended: [
        {
          customerRef: "C3",
          contractNumber: applied.body.isp.contractNumber,
          licenseRef: applied.body.ref,
          endedOn: today,
        },
      ],
    });
    const recorded = [before[0], before[1], before[2] + 1, before[3] + 3];
    expect(counts()).toEqual(recorded);
    const replay = await api(keys.r1, "/customers/C3/main-services", {
      method: "POST",
      body,
      headers,
    });
    expect([replay.status, replay.text]).toEqual([200, end.text]);
    expect(counts()).toEqual(recorded);
    const license = await api(keys.r1, `/licenses/${applied.body.ref}`);
    // Usable through its last day (L-4), so still active today.
    expect(license.body).toMatchObject({
      state: "expired",
      effectiveEnd: today,
      displayState: "cancelled_running",
      isp: { endedOn: today, status: "active" },
      mainServices: [{ service: "NET-C3", kind: "internet", status: "ended", lastDay: today }],
    });
    const list = await api(keys.r1, "/customers/C3/main-services");
    expect(
      list.body.data.map((m: { service: string; status: string }) => `${m.service}:${m.status}`),
    ).toEqual(["NET-C3:ended"]);
    const bad = await api(keys.r1, "/customers/C3/main-services", {
      method: "POST",
      body: JSON.stringify({ service: "NEW-1", status: "paused" }),
    });
    expect([bad.status, bad.body.errors]).toEqual([
      422,
      {
        kind: "新しいサービスの種類を選んでください",
        status: "状態（ご利用中・休止・解約）を選んでください",
      },
    ]);
    expect(counts()).toEqual(recorded);
  });

  it("filters records by update time", async () => {
    // After the writes of the tests above, before this one's.
    await new Promise((r) => setTimeout(r, 20));
    const t0 = new Date().toISOString();
    const incident = query<{ id: number }>("select id from incidents order by id desc limit 1")[0];
    const noted = await api(keys.provider, `/incidents/${incident.id}/notes`, {
      method: "POST",
      body: JSON.stringify({ note: "更新日時の確認" }),
    });
    expect(noted.status).toBe(201);
    expect(noted.body.updatedAt >= t0.slice(0, 19)).toBe(true);
    const changed = await walk(
      keys.provider,
      `/incidents?updatedFrom=${encodeURIComponent(t0)}&limit=200`,
      (i) => i.id,
    );
    expect(changed.seen).toContain(incident.id);
    expect(changed.seen.sort()).toEqual(
      query<{ id: number }>("select id from incidents where updated_at >= ?", t0)
        .map((r) => r.id)
        .sort(),
    );
    // The ISP licences the tests above changed are older than t0 (the demo's imported ones are stamped 09:00 JST today, maybe still ahead).
    const licenses = await walk(
      keys.r1,
      `/licenses?updatedFrom=${encodeURIComponent(t0)}`,
      (l) => l.ref,
    );
    const r1Since = query<{ ref: string }>(
      "select licenses.ref from licenses join customers on customers.id = customer_id where reseller_id = (select id from resellers where ref = 'R1') and licenses.updated_at >= ? order by licenses.ref",
      t0,
    ).map((l) => l.ref);
    expect(licenses.seen).toEqual(r1Since);
    expect(
      licenses.seen.filter(
        (ref) =>
          String(ref).startsWith("ISP-") &&
          query<{ n: number }>(
            "select count(*) as n from licenses join customers on customers.id = customer_id where licenses.ref = ? and customers.ref in ('C2', 'C3')",
            ref,
          )[0].n > 0,
      ),
    ).toEqual([]);
    const all = await walk(keys.r1, "/licenses?updatedFrom=2000-01-01&limit=200", (l) => l.ref);
    const none = await api(keys.r1, "/licenses?updatedTo=2000-01-01");
    expect([all.seen.length > 3, none.body.data]).toEqual([true, []]);
    for (const path of ["/customers", "/contracts", "/devices", "/applications"]) {
      expect((await api(keys.r1, `${path}?updatedTo=2000-01-01`)).body.data, path).toEqual([]);
    }
    const bad = await api(keys.r1, "/devices?updatedFrom=yesterday");
    expect([bad.status, bad.body.errors]).toEqual([
      422,
      {
        updatedFrom:
          "updatedFromは ISO 8601 の日時（例: 2026-12-01T09:00:00+09:00）か日付（YYYY-MM-DD）で指定してください",
      },
    ]);
  });
});

describe("pagination", () => {
  it("walks the whole list exactly once, in order, and refuses a bad cursor or limit", async () => {
    const all = query<{ ref: string }>("select ref from contracts order by ref").map((r) => r.ref);
    const { seen, pages } = await walk(keys.provider, "/contracts?limit=4", (k) => k.ref);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 4) + (all.length % 4 === 0 ? 1 : 0));
    const incidents = query<{ id: number }>(
      "select id from incidents order by opened_at desc, id desc",
    ).map((r) => r.id);
    expect((await walk(keys.provider, "/incidents?limit=3", (i) => i.id)).seen).toEqual(incidents);
    const first = await api(keys.provider, "/contracts");
    expect(first.body.data.length).toBe(Math.min(50, all.length));
    expect((await api(keys.provider, "/contracts?cursor=garbage")).body.code).toBe(
      "invalid_cursor",
    );
    expect((await api(keys.provider, "/contracts?limit=201")).body.errors).toEqual({
      limit: "limit は1〜200の整数で指定してください",
    });
  });

  it("filters by creation time and issue date", async () => {
    const invoices = query<{ invoice_number: string; issue_date: string }>(
      "select invoice_number, issue_date from invoices order by seq desc",
    );
    const day = invoices[0].issue_date;
    const r = await walk(
      keys.provider,
      `/invoices?issueFrom=${day}&issueTo=${day}&limit=200`,
      (i) => i.number,
    );
    expect(r.seen).toEqual(
      invoices.filter((i) => i.issue_date === day).map((i) => i.invoice_number),
    );
    const future = await api(keys.provider, "/customers?createdFrom=2099-01-01T00:00:00%2B09:00");
    expect(future.body).toEqual({ data: [], nextCursor: null });
    const past = await api(keys.provider, "/customers?createdTo=2000-01-01&limit=200");
    expect(past.body.data).toEqual([]);
    expect((await api(keys.provider, "/customers?createdFrom=yesterday")).status).toBe(422);
  });
});

describe("OpenAPI document and reference page (item 3)", () => {
  it("the answers are exactly what the schemas of the document say", async () => {
    const p = keys.provider;
    const contract = (await api(p, "/contracts?limit=1")).body.data[0].ref;
    const invoice = (await api(p, "/invoices?limit=1")).body.data[0].number;
    const incident = (await api(p, "/incidents?limit=1")).body.data[0].id;
    const application = query<{ ref: string }>(
      "select ref from applications order by id limit 1",
    )[0].ref;
    const device = (await api(p, "/devices?limit=1")).body.data[0];
    const creditNote = (await api(p, "/credit-notes?limit=1")).body.data[0].number;
    // One licence of each channel the demo has (the ISP one with its contract and main services).
    const licenseRefs = query<{ ref: string }>(
      "select min(ref) as ref from licenses group by channel",
    ).map((l) => l.ref);
    expect(licenseRefs.length).toBeGreaterThan(2);
    const checks: [string, { parse(v: unknown): unknown }][] = [
      ["/customers?limit=3", pageOf(CustomerSchema)],
      ["/customers/C1", CustomerSchema],
      ["/contracts?limit=3", pageOf(ContractSchema)],
      [`/contracts/${contract}?terminationWished=2027-06-30`, ContractDetailSchema],
      [`/contracts/${contract}`, ContractDetailSchema],
      ["/invoices?limit=3", pageOf(InvoiceSchema)],
      [`/invoices/${invoice}`, InvoiceDetailSchema],
      ["/incidents?limit=3", pageOf(IncidentSchema)],
      [`/incidents/${incident}`, IncidentSchema],
      [`/applications/${application}`, ApplicationSchema],
      ["/customers/C999", ProblemSchema],
      ["/applications?limit=3", pageOf(ApplicationSchema)],
      ["/devices?limit=3", pageOf(DeviceSchema)],
      ["/devices?limit=3&type=gateway&notSeenSince=2099-01-01", pageOf(DeviceSchema)],
      [`/contracts/${device.contract}/devices/${encodeURIComponent(device.name)}`, DeviceSchema],
      ["/credit-notes?limit=3", pageOf(CreditNoteSchema)],
      [`/credit-notes/${creditNote}`, CreditNoteDetailSchema],
      ["/threat-reports?limit=3", pageOf(ThreatReportSchema)],
      ["/licenses?limit=3", pageOf(LicenseSchema)],
      ...licenseRefs.map(
        (ref) => [`/licenses/${ref}`, LicenseDetailSchema] as [string, typeof LicenseDetailSchema],
      ),
      ["/customers/C1/main-services", z.strictObject({ data: z.array(MainServiceSchema) })],
    ];
    for (const [path, schema] of checks) {
      const r = await api(p, path);
      expect(() => schema.parse(r.body), path).not.toThrow();
    }
    // Webhook endpoints: the registration (with its secret, once), the list and one endpoint.
    const registered = await api(p, "/webhook-endpoints", {
      method: "POST",
      body: JSON.stringify({
        url: "http://127.0.0.1:9/hook",
        events: ["incident.opened"],
        ownerEmail: "ops@example.jp",
      }),
    });
    expect(registered.status).toBe(201);
    expect(() => CreatedWebhookEndpointSchema.parse(registered.body)).not.toThrow();
    const endpoints = (await api(p, "/webhook-endpoints")).body;
    expect(() =>
      z.strictObject({ data: z.array(WebhookEndpointSchema) }).parse(endpoints),
    ).not.toThrow();
    const endpoint = (await api(p, `/webhook-endpoints/${registered.body.id}`)).body;
    expect(() => WebhookEndpointSchema.parse(endpoint)).not.toThrow();
    for (const path of [
      `/credit-notes/${creditNote}/pdf`,
      `/threat-reports/${(await api(p, "/threat-reports?limit=1")).body.data[0].id}/pdf`,
    ]) {
      const pdf = await api(p, path);
      expect([
        path,
        pdf.status,
        pdf.type,
        Buffer.from(pdf.body as ArrayBuffer)
          .subarray(0, 5)
          .toString(),
      ]).toEqual([path, 200, "application/pdf", "%PDF-"]);
    }
    // Strict: a field the schema does not name fails.
    const customer = (await api(p, "/customers/C1")).body;
    expect(() => CustomerSchema.parse({ ...customer, internalId: 1 })).toThrow();
  });

  it("serves OpenAPI 3.1 with every endpoint, and every reference resolves", async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const doc = await response.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: server.url }]);
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        "GET /api/v1/applications",
        "GET /api/v1/applications/{ref}",
        "GET /api/v1/contracts",
        "GET /api/v1/contracts/{ref}",
        "GET /api/v1/contracts/{ref}/devices/{name}",
        "GET /api/v1/credit-notes",
        "GET /api/v1/credit-notes/{number}",
        "GET /api/v1/credit-notes/{number}/pdf",
        "GET /api/v1/customers",
        "GET /api/v1/customers/{ref}",
        "GET /api/v1/customers/{ref}/main-services",
        "GET /api/v1/devices",
        "GET /api/v1/incidents",
        "GET /api/v1/incidents/{id}",
        "GET /api/v1/invoices",
        "GET /api/v1/invoices/{number}",
        "GET /api/v1/invoices/{number}/pdf",
        "GET /api/v1/licenses",
        "GET /api/v1/licenses/{ref}",
        "GET /api/v1/threat-reports",
        "GET /api/v1/threat-reports/{id}/pdf",
        "POST /api/v1/applications",
        "POST /api/v1/customers/{ref}/main-services",
        "POST /api/v1/incidents/{id}/acknowledge",
        "POST /api/v1/incidents/{id}/notes",
        "POST /api/v1/licenses/isp",
        "POST /api/v1/licenses/{ref}/end",
        "DELETE /api/v1/webhook-endpoints/{id}",
        "GET /api/v1/webhook-endpoints",
        "GET /api/v1/webhook-endpoints/{id}",
        "POST /api/v1/webhook-endpoints",
      ].sort(),
    );
    const refs = [
      ...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g),
    ].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(20);
    for (const name of new Set(refs)) expect(doc.components.schemas[name], name).toBeDefined();
    const contracts = doc.paths["/api/v1/contracts"].get;
    expect(contracts.parameters.map((p: { name: string }) => p.name)).toEqual([
      "limit",
      "cursor",
      "createdFrom",
      "createdTo",
      "updatedFrom",
      "updatedTo",
      "customer",
      "status",
    ]);
    expect(
      doc.paths["/api/v1/contracts/{ref}/devices/{name}"].get.parameters.map(
        (p: { name: string; in: string }) => `${p.in}:${p.name}`,
      ),
    ).toEqual(["path:ref", "path:name"]);
    expect(Object.keys(doc.paths["/api/v1/licenses/isp"].post.responses).sort()).toEqual([
      "200",
      "201",
      "400",
      "401",
      "403",
      "409",
      "422",
      "429",
    ]);
    expect(doc.components.schemas.IspApplicationRequest.required).toEqual([
      "customer",
      "product",
      "devices",
    ]);
    expect(doc.components.schemas.ApplicationRequest.required).toEqual([
      "holderName",
      "holderAddress",
      "holderPhone",
      "holderEmail",
      "lineId",
      "area",
      "endpointSeats",
      "endpointOwnership",
      "wishedStart",
      "consent",
    ]);
    expect(doc.components.schemas.Contract.properties.serviceStart.description).toBe(
      "日付（YYYY-MM-DD）",
    );
  });

  it("the console's API reference lists endpoints, parameters and schemas for a reseller manager", async () => {
    const login = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "reseller@demo.example", password: DEMO_PASSWORD }),
      redirect: "manual",
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const page = await fetch(`${server.url}/api-docs`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const text of [
      "API仕様",
      "GET /api/v1/contracts/{ref}",
      "terminationWished",
      "解約希望日（YYYY-MM-DD）。指定すると解約の見積り terminationQuote を付けます",
      "POST /api/v1/applications",
      "ApplicationRequest",
      "Idempotency-Key",
      "nextCursor",
      "POST /api/v1/licenses/isp",
      "201・200",
      "GET /api/v1/customers/{ref}/main-services",
      "{ data: MainService[] }",
      "updatedFrom",
    ]) {
      expect(html, text).toContain(text.replace(/&/g, "&amp;"));
    }
  });
});

describe("rate limit shared by two processes", () => {
  let a: ConsoleServer;
  let b: ConsoleServer;
  beforeAll(async () => {
    a = await startConsole({ API_RATE_LIMIT: "5" });
    b = await startConsole({ API_RATE_LIMIT: "5" }, { databasePath: a.databasePath });
  }, 180_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it("the 6th request in a minute, on either server, is 429 with Retry-After", async () => {
    const key = createKey(a.databasePath, "--provider", "--name", "rate", "--scope", "read");
    // Not across a minute boundary: the window is the minute.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 6; i++) {
      last = await fetch(`${(i % 2 === 0 ? a : b).url}/api/v1/customers?limit=1`, {
        headers: { Authorization: `Bearer ${key}` },
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const retryAfter = Number(last!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = await last!.json();
    expect([body.code, body.status]).toEqual(["rate_limited", 429]);
    // Another key has its own count.
    const other = createKey(a.databasePath, "--provider", "--name", "rate2", "--scope", "read");
    expect(
      (
        await fetch(`${b.url}/api/v1/customers?limit=1`, {
          headers: { Authorization: `Bearer ${other}` },
        })
      ).status,
    ).toBe(200);
  });
});
