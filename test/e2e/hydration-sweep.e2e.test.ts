// Every page each demo account can open, in Chromium with JavaScript: the page hydrates without
// an error in the console or an uncaught exception. (A value imported into a page's component from
// a `.server` module is undefined in the browser: the server renders the page, and hydration then
// throws — which the tests that drive the forms without JavaScript cannot see.)
// For the first account of each role, every page is also checked at 1366 px and at 390 px (issue 17
// items 12 and 13): axe-core finds no violation of impact serious or critical, and on the phone
// the page is no wider than the screen (wide tables scroll inside their own box).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import SQLite from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANUAL_LINE_ROLES, OPERATIONS_ROLES } from "../../app/auth/tenancy";
import type { Role } from "../../db/schema";
import { DEMO_ACCOUNTS } from "../../db/demo/seed";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

// Injected by evaluation: the page's Content-Security-Policy refuses an inline script tag, and the
// check must not turn the policy off (it would hide a violation from the hydration check).
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const checkedRoles = new Set<Role>();

let server: ConsoleServer;
let browser: Browser;

const STATIC_PATHS = [
  "/home",
  "/dashboard",
  "/contracts",
  "/customers",
  "/invoices",
  "/billing",
  "/billing/2026-10",
  "/billing/2026-10/pdfs",
  "/portfolio",
  "/cancellations",
  "/incidents",
  "/applications",
  "/applications/new",
  "/outages",
  "/reviews",
  "/calls",
  "/dispatch",
  "/licenses",
  "/licenses/refunds",
  "/licenses/isp/main-services",
  "/reports",
  "/reports/batch",
  "/audit",
  "/settings",
  "/account",
  "/tariffs",
  "/notices",
  "/archive",
  "/account/second-factor",
  "/api-keys",
  "/api-docs",
  "/bank-credits",
  "/webhooks",
];

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** axe-core's serious and critical violations on the page as it is now, one line each. */
async function axeProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: Document,
            options: object,
          ) => Promise<{
            violations: Array<{
              id: string;
              impact: string | null;
              nodes: Array<{ target: unknown[] }>;
            }>;
          }>;
        };
      }
    ).axe;
    const { violations } = await axe.run(document, { resultTypes: ["violations"] });
    return violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `axe ${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

/** One record of each kind the account can see: a contract with its pages, an invoice, a customer, an incident. */
function recordPaths(email: string): string[] {
  const db = new SQLite(server.databasePath, { readonly: true });
  try {
    const user = db
      .prepare("select role, customer_id, reseller_id from users where email = ?")
      .get(email) as { role: Role; customer_id: number | null; reseller_id: number | null };
    const scope =
      user.customer_id !== null
        ? `customers.id = ${user.customer_id}`
        : user.reseller_id !== null
          ? `customers.reseller_id = ${user.reseller_id}`
          : "1 = 1";
    const one = (sql: string) => (db.prepare(sql).get() as { id: number } | undefined)?.id;
    const contract = one(
      `select contracts.id from contracts join customers on customers.id = contracts.customer_id where ${scope} order by contracts.id`,
    );
    const invoice = one(
      `select invoices.id from invoices join contracts on contracts.id = invoices.contract_id join customers on customers.id = contracts.customer_id where ${scope} order by invoices.id`,
    );
    const customer = one(`select customers.id from customers where ${scope} order by id`);
    const incident = one(
      `select incidents.id from incidents join contracts on contracts.id = incidents.contract_id join customers on customers.id = contracts.customer_id where ${scope} order by incidents.id`,
    );
    return [
      ...(contract
        ? ["", "/changes", "/cancel", "/visits", "/transfer"].map(
            (page) => `/contracts/${contract}${page}`,
          )
        : []),
      ...(contract && MANUAL_LINE_ROLES.includes(user.role)
        ? [`/contracts/${contract}/manual-lines`]
        : []),
      ...(contract && OPERATIONS_ROLES.includes(user.role) ? [`/contracts/${contract}/admin`] : []),
      ...(invoice ? [`/invoices/${invoice}`] : []),
      ...(customer ? [`/customers/${customer}`] : []),
      ...(incident ? [`/incidents/${incident}`] : []),
    ];
  } finally {
    db.close();
  }
}

describe("hydration sweep: every page an account can open hydrates without an error", () => {
  for (const account of DEMO_ACCOUNTS) {
    it(
      account.email,
      async () => {
        const problems: string[] = [];
        const opened: string[] = [];
        // The first account of each role also gets the accessibility and phone-width checks.
        const checkScreens = !checkedRoles.has(account.role);
        checkedRoles.add(account.role);
        const context = await browser.newContext({ viewport: DESKTOP });
        const page = await context.newPage();
        let onPage: string[] = [];
        page.on("pageerror", (error) => onPage.push(error.message));
        page.on("console", (message) => {
          if (message.type() === "error") onPage.push(`console: ${message.text()}`);
        });
        await loginAs(page, server.url, account.email);
        for (const path of [...STATIC_PATHS, ...recordPaths(account.email)]) {
          onPage = [];
          const response = await page.goto(`${server.url}${path}`);
          // Pages of other roles answer 403 with the error page (the browser logs the status): not this account's.
          if (response?.status() !== 200) continue;
          // Hydrated: Remix's router has taken over the page.
          await page.waitForFunction(
            () =>
              (window as unknown as { __remixRouter?: { state: { initialized: boolean } } })
                .__remixRouter?.state.initialized === true,
          );
          // Hydration renders in a transition, after the router is up: let it finish (and fail) on this page.
          await page.waitForTimeout(100);
          opened.push(path);
          problems.push(...onPage.map((p) => `${path}: ${p}`));
          if (checkScreens) {
            problems.push(...(await axeProblems(page)).map((p) => `${path} 1366px: ${p}`));
            await page.setViewportSize(PHONE);
            // Charts re-measure their box after the resize: give the layout a second to settle.
            await page
              .waitForFunction(
                () => document.documentElement.scrollWidth <= window.innerWidth,
                undefined,
                { timeout: 1000 },
              )
              .catch(() => undefined);
            const widths = await page.evaluate(() => ({
              page: document.documentElement.scrollWidth,
              screen: window.innerWidth,
            }));
            if (widths.page > widths.screen)
              problems.push(`${path} 390px: the page is ${widths.page}px wide`);
            problems.push(...(await axeProblems(page)).map((p) => `${path} 390px: ${p}`));
            await page.setViewportSize(DESKTOP);
          }
        }
        await context.close();
        expect(problems).toEqual([]);
        // Every account opens at least its home, dashboard or portfolio, contracts, invoices and account pages.
        expect(opened).toEqual(
          expect.arrayContaining(["/home", "/contracts", "/invoices", "/account"]),
        );
      },
      // Each page is checked with axe twice for the first account of a role.
      400_000,
    );
  }
});
