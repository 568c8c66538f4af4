// Routes stay thin (issue 16 item 6): loaders and actions call the domain modules
// (`*.server.ts`, db first, the tenant in the where) and never build SQL themselves, so every
// query is found — and tenant-scoped — in one place per domain.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROUTES = join(__dirname, "../app/routes");

/** Query building a route must leave to a domain module. */
const QUERY = [/\.selectFrom\(/, /\.insertInto\(/, /\.updateTable\(/, /\.deleteFrom\(/, /\bsql`/];

function offencesIn(file: string, text: string): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, n) => {
    if (QUERY.some((re) => re.test(line))) found.push(`${file}:${n + 1}: ${line.trim()}`);
  });
  return found;
}

describe("route files do not query the database", () => {
  it("no file under app/routes uses selectFrom, insertInto, updateTable, deleteFrom or sql``", () => {
    const files = readdirSync(ROUTES, { recursive: true, encoding: "utf8" }).filter((f) =>
      /\.tsx?$/.test(f),
    );
    expect(files.length).toBeGreaterThan(100);
    const offences = files.flatMap((f) => offencesIn(f, readFileSync(join(ROUTES, f), "utf8")));
    expect(offences).toEqual([]);
  });

  it("the check itself finds each form it forbids", () => {
    const lines = [
      'const row = await db.selectFrom("users").selectAll().executeTakeFirst();',
      '  .insertInto("payments")',
      'await trx.updateTable("invoices").set({ status: "paid" }).execute();',
      '    .deleteFrom("user_totp")',
      "const n = await sql`select count(*) from invoices`.execute(db);",
    ];
    for (const line of lines) expect(offencesIn("x.tsx", line)).toHaveLength(1);
    expect(offencesIn("x.tsx", "const found = await getContract(db, { id, tenant });")).toEqual([]);
  });
});
