// The tenancy sweep: every route, every record id, every demo account, as HTML and as Remix
// data requests. No response may carry another tenant's contract refs, line ids or company names,
// and a foreign record answers exactly like a missing one (404).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANUAL_LINE_ROLES, OPERATIONS_ROLES } from "../../app/auth/tenancy";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../../db/demo/seed";
import { sessionCookie } from "./support/session";
import { queryRows, startConsole, type ConsoleServer } from "./support/server";

interface Row {
  id: number;
  ref: string;
  name?: string;
  line_id?: string;
  customer_id?: number;
  reseller_id: number | null;
}

let server: ConsoleServer;
let customers: Row[];
let contracts: Row[];
let resellers: { id: number; ref: string; name: string }[];
let users: { email: string; reseller_id: number | null; customer_id: number | null }[];
let invoices: { id: number; contract_id: number; billing_month: string }[];

beforeAll(async () => {
  server = await startConsole();
  resellers = await queryRows(server, "select id, ref, name from resellers");
  customers = await queryRows<Row>(server, "select id, ref, name, reseller_id from customers");
  contracts = await queryRows<Row>(
    server,
    "select contracts.id, contracts.ref, line_id, customer_id, customers.reseller_id from contracts join customers on customers.id = customer_id",
  );
  users = await queryRows(server, "select email, reseller_id, customer_id from users");
  invoices = await queryRows(server, "select id, contract_id, billing_month from invoices");
});
afterAll(() => server?.stop());

function visibleTo(user: (typeof users)[number]) {
  const seesCustomer = (c: Row) =>
    user.customer_id !== null
      ? c.id === user.customer_id
      : user.reseller_id !== null
        ? c.reseller_id === user.reseller_id
        : true;
  const ownCustomers = new Set(customers.filter(seesCustomer).map((c) => c.id));
  const ownResellers = new Set(customers.filter(seesCustomer).map((c) => c.reseller_id));
  return {
    customerIds: ownCustomers,
    contractIds: new Set(
      contracts.filter((k) => ownCustomers.has(k.customer_id!)).map((k) => k.id),
    ),
    foreignMarkers: [
      ...customers.filter((c) => !ownCustomers.has(c.id)).map((c) => c.name!),
      ...contracts
        .filter((k) => !ownCustomers.has(k.customer_id!))
        .flatMap((k) => [k.ref, k.line_id!]),
      ...resellers
        .filter((r) =>
          user.customer_id === null && user.reseller_id === null ? false : !ownResellers.has(r.id),
        )
        .map((r) => r.name),
    ],
  };
}

describe("tenant sweep", () => {
  it("covers every account, every route and every record", { timeout: 180_000 }, async () => {
    const staticPaths = [
      "/home",
      "/contracts",
      "/contracts?q=K-",
      "/contracts?status=terminated",
      "/customers",
      "/customers?q=株式会社",
      "/audit",
      "/settings",
      "/account",
      "/invoices",
      "/invoices?status=overdue&q=株式会社",
      "/billing",
      "/billing/2026-10",
      "/billing/2026-10/pdfs",
      "/portfolio",
      "/portfolio/csv",
      "/cancellations",
      "/incidents",
      "/applications",
      "/applications/new",
      "/outages",
      "/reviews",
      "/dashboard",
      "/dashboard?days=90",
      "/calls",
      "/dispatch",
      // Issue 17 items 9 and 10: the visit schedule, the staff search, the home card's list.
      "/visits?from=2024-01-01&to=2027-12-31",
      "/search?q=K-",
      "/search?q=株式会社",
      "/contracts?status=live",
      "/devices",
      "/licenses",
      "/licenses/find?q=NP",
      "/licenses/refunds",
      "/licenses/isp/main-services",
      "/reports",
      "/reports/batch",
      "/tariffs",
      "/notices",
      "/archive",
      "/archive?counterparty=株式会社",
      "/account/second-factor",
      "/api-keys",
      "/bank-credits",
      "/webhooks",
    ];
    let requests = 0;
    // The accounts side by side (each its own sequence of requests): the server answers one
    // while it waits for the database of another, PostgreSQL's round trips included.
    const sweep = async (account: (typeof DEMO_ACCOUNTS)[number]) => {
      const user = users.find((u) => u.email === account.email)!;
      const cookie = await sessionCookie(server.url, account.email);
      const scope = visibleTo(user);
      const paths = [
        ...staticPaths.map((path) => ({ path, expect: "any" as const })),
        ...contracts.map((k) => ({
          path: `/contracts/${k.id}`,
          expect: scope.contractIds.has(k.id) ? 200 : 404,
        })),
        ...contracts.flatMap((k) =>
          ["cancel", "visits", "changes", "transfer"].map((page) => ({
            path: `/contracts/${k.id}/${page}`,
            expect: scope.contractIds.has(k.id) ? 200 : 404,
          })),
        ),
        // The provider's own pages of a contract: its roles see every contract, the others none.
        ...contracts.flatMap((k) =>
          (
            [
              ["manual-lines", MANUAL_LINE_ROLES],
              ["admin", OPERATIONS_ROLES],
            ] as const
          ).map(([page, roles]) => ({
            path: `/contracts/${k.id}/${page}`,
            expect: roles.includes(account.role) ? 200 : 403,
          })),
        ),
        ...invoices.flatMap((i) =>
          ["", "/xml"].map((page) => ({
            path: `/invoices/${i.id}${page}`,
            expect: scope.contractIds.has(i.contract_id) ? 200 : 404,
          })),
        ),
        ...customers.map((c) => ({
          path: `/customers/${c.id}`,
          expect: account.role === "customer_admin" ? 403 : scope.customerIds.has(c.id) ? 200 : 404,
        })),
      ];
      for (const { path, expect: expected } of paths) {
        const [pathname, search] = path.split("?");
        for (const url of [
          path,
          `${pathname === "/" ? "/_root" : pathname}.data${search ? `?${search}` : ""}`,
        ]) {
          const response = await fetch(`${server.url}${url}`, {
            headers: { Cookie: cookie },
            redirect: "manual",
          });
          requests++;
          const body = await response.text();
          const where = `${account.email} ${url}`;
          expect(response.status, where).toBeLessThan(500);
          if (expected !== "any" && !url.includes(".data"))
            expect(response.status, where).toBe(expected);
          // React 18's stream can pad a split Japanese character with NUL bytes (app/lib/html-stream.server.ts).
          expect(body.includes("\u0000"), `${where} has a NUL byte`).toBe(false);
          for (const marker of scope.foreignMarkers) {
            expect(body.includes(marker), `${where} leaks "${marker}"`).toBe(false);
          }
        }
      }
    };
    await Promise.all(DEMO_ACCOUNTS.map(sweep));
    // 7 accounts × (45 static + 10 contracts × 7 pages + every invoice's page and XML + 8 customers) × (HTML + data)
    expect(invoices.length).toBeGreaterThan(50);
    expect(requests).toBe(7 * (123 + invoices.length * 2) * 2);
  });

  it("answers a foreign record and a missing one identically", async () => {
    const cookie = await sessionCookie(server.url, "customer@demo.example");
    const foreign = contracts.find((k) => k.ref === "K-2001")!;
    const a = await fetch(`${server.url}/contracts/${foreign.id}`, { headers: { Cookie: cookie } });
    const b = await fetch(`${server.url}/contracts/987654`, { headers: { Cookie: cookie } });
    expect(a.status).toBe(404);
    expect(b.status).toBe(404);
    // The script nonce is new on every response (issue 15 item 6).
    const strip = (html: string) =>
      html.replace(/\/contracts\/\d+/g, "").replace(/nonce="[^"]*"/g, "");
    expect(strip(await a.text())).toBe(strip(await b.text()));
  });

  it("refuses a cross-origin POST before it reaches the app", async () => {
    const response = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: {
        Origin: "http://attacker.example",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ email: "admin@demo.example", password: DEMO_PASSWORD }),
      redirect: "manual",
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toBe("別のサイトからの送信は受け付けられません。");
  });
});
