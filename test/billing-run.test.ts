// The billing run against real database files: idempotent, immutable once issued, safe to kill.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBillingMonth } from "../app/billing/billing-run.server";
import { invoiceCsv, lineCsv } from "../app/billing/export.server";
import { migrateToLatest, openDatabase } from "../db/connection";
import { generateContracts } from "../scripts/bench/generate-contracts";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { yearMonth, type YearMonth } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
});
afterAll(() => t.dispose());

describe("demo billing history", () => {
  it("issued six closed months with gap-free numbers", async () => {
    const months = await t.db
      .selectFrom("billing_months")
      .select(["month", "status", "invoice_count"])
      .orderBy("month")
      .execute();
    expect(months.map((m) => [m.month, m.status, m.invoice_count])).toEqual([
      ["2026-05", "closed", 9],
      ["2026-06", "closed", 10],
      ["2026-07", "closed", 10],
      ["2026-08", "closed", 10],
      ["2026-09", "closed", 10],
      ["2026-10", "closed", 10],
    ]);
    const seqs = (await t.db.selectFrom("invoices").select("seq").orderBy("seq").execute()).map(
      (r) => r.seq,
    );
    expect(seqs).toEqual(Array.from({ length: 59 }, (_, i) => i + 1));
  });

  it("carries the ETF, the outage credit, the late interest and the unreturned gateway on the right invoices", async () => {
    const line = (ref: string, month: YearMonth, code: string) =>
      t.db
        .selectFrom("invoice_lines")
        .innerJoin("invoices", "invoices.id", "invoice_lines.invoice_id")
        .innerJoin("contracts", "contracts.id", "invoices.contract_id")
        .select([
          "invoice_lines.amount_yen",
          "invoice_lines.rule",
          "invoice_lines.tax_category",
          "invoice_lines.description",
        ])
        .where("contracts.ref", "=", ref)
        .where("invoices.billing_month", "=", month)
        .where("invoice_lines.code", "=", code)
        .executeTakeFirst();
    // K-1006: start 2025-02-12, terminated 2026-09-01 → B = 19, remaining 5 → 5 × 3,000.
    expect(await line("K-1006", yearMonth("2026-09"), "etf.termination")).toEqual({
      amount_yen: 15000,
      rule: "S4※1",
      tax_category: "non_taxable",
      description: "解約違約金（残5か月）",
    });
    // K-2001: gateway down 2026-09-03 10:00 → 09-05 12:00 = 50 h → floor(11,000 × 2 ÷ 30).
    expect((await line("K-2001", yearMonth("2026-09"), "credit.outage.gateway"))?.amount_yen).toBe(
      -733,
    );
    // K-1003's May invoice (6,600, due 06-30) paid 07-30: 29 days → floor(6,600 × 0.145 × 29 ÷ 365) = 76, billed in July.
    expect(await line("K-1003", yearMonth("2026-07"), "interest.late")).toMatchObject({
      amount_yen: 76,
      rule: "T-26",
      tax_category: "non_taxable",
    });
    expect((await line("K-1006", yearMonth("2026-10"), "device.gw10"))?.amount_yen).toBe(45000);
  });

  it("exports the month as the CSV the command prints", async () => {
    const csv = await invoiceCsv(t.db, yearMonth("2026-09"));
    const rows = csv.trimEnd().split("\r\n");
    expect(rows[0]).toBe(
      "invoice_number,customer_ref,contract_ref,billing_month,issue_date,due_date,taxable_10_yen,tax_10_yen,non_taxable_yen,total_yen",
    );
    expect(rows).toHaveLength(11);
    expect(rows).toContain("INV-00000045,C2,K-1006,2026-09,2026-10-01,2026-10-31,0,0,15000,15000");
    expect(rows).toContain(
      "INV-00000046,C5,K-2001,2026-09,2026-10-01,2026-10-31,23267,2326,0,25593",
    );
    const lines = (await lineCsv(t.db, yearMonth("2026-09"))).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "invoice_number,contract_ref,billing_month,code,rule,description,quantity,unit_price_yen,amount_yen,tax_category",
    );
    expect(lines).toContain(
      "INV-00000046,K-2001,2026-09,credit.outage.gateway,T-24-2,障害による減額（ゲートウェイ 2日分）,1,-733,-733,taxable_10",
    );
  });
});

describe("issuing", () => {
  it("issues nothing on a second run of a closed month", async () => {
    const before = await t.db
      .selectFrom("invoices")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const result = await runBillingMonth(t.db, yearMonth("2026-10"), { at: TEST_NOW });
    expect(result).toMatchObject({ alreadyClosed: true, issued: 0, alreadyIssued: 10 });
    const after = await t.db
      .selectFrom("invoices")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("refuses to close a month before one already closed", async () => {
    await expect(runBillingMonth(t.db, yearMonth("2026-04"), { at: TEST_NOW })).rejects.toThrow(
      "month: 2026-05 is already closed",
    );
  });

  it("answers a re-run of an earlier closed month with nothing issued, though later months are closed", async () => {
    const result = await runBillingMonth(t.db, yearMonth("2026-06"), { at: TEST_NOW });
    const issued = await t.db
      .selectFrom("invoices")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("billing_month", "=", yearMonth("2026-06"))
      .executeTakeFirstOrThrow();
    expect(issued.n).toBeGreaterThan(0);
    expect(result).toMatchObject({
      alreadyClosed: true,
      issued: 0,
      alreadyIssued: issued.n,
      problems: [],
    });
  });

  it("keeps issued invoices immutable at the database", async () => {
    const invoice = await t.db
      .selectFrom("invoices")
      .select("id")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    await expect(
      t.db
        .updateTable("invoices")
        .set({ total_yen: toYen(1) })
        .where("id", "=", invoice.id)
        .execute(),
    ).rejects.toThrow(/immutable/);
    await expect(
      t.db.deleteFrom("invoices").where("id", "=", invoice.id).execute(),
    ).rejects.toThrow(/immutable/);
    await expect(
      t.db
        .updateTable("invoice_lines")
        .set({ amount_yen: toYen(1) })
        .where("invoice_id", "=", invoice.id)
        .execute(),
    ).rejects.toThrow(/immutable/);
    await expect(
      t.db.deleteFrom("invoice_lines").where("invoice_id", "=", invoice.id).execute(),
    ).rejects.toThrow(/immutable/);
    const addLine = (position: number) =>
      t.db
        .insertInto("invoice_lines")
        .values({
          invoice_id: invoice.id,
          position,
          code: "manual",
          rule: "manual",
          tariff_version: null,
          description: "後から追加",
          quantity: 1,
          unit_price_yen: toYen(1),
          amount_yen: toYen(1),
          tax_category: "taxable_10",
        })
        .execute();
    const { line_count } = await t.db
      .selectFrom("invoices")
      .select("line_count")
      .where("id", "=", invoice.id)
      .executeTakeFirstOrThrow();
    await expect(addLine(line_count + 1)).rejects.toThrow(/no line can be added/);
    await expect(addLine(0)).rejects.toThrow(/no line can be added/);
    await expect(addLine(line_count)).rejects.toThrow(
      /UNIQUE constraint failed: invoice_lines.invoice_id, invoice_lines.position|"invoice_lines_position_unique"/,
    );
    const lines = await t.db
      .selectFrom("invoice_lines")
      .select("position")
      .where("invoice_id", "=", invoice.id)
      .execute();
    expect(lines.map((l) => l.position)).toEqual(
      Array.from({ length: line_count }, (_, i) => i + 1),
    );
  });
});

describe("billing run killed mid-way", () => {
  const dir = mkdtempSync(join(tmpdir(), "billing-kill-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function bookAt(name: string): Promise<string> {
    const url = `file:${join(dir, name)}`;
    const handle = openDatabase(url);
    await migrateToLatest(handle.db);
    generateContracts(handle.sqlite, 6000, yearMonth("2025-01"));
    await handle.close();
    return url;
  }

  function billing(url: string, ...args: string[]) {
    return spawnSync("node_modules/.bin/tsx", ["scripts/billing.ts", ...args], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: "utf8",
    });
  }

  it("finishes on a re-run with exactly the invoices of an uninterrupted run", async () => {
    const [killedUrl, cleanUrl] = await Promise.all([bookAt("killed.db"), bookAt("clean.db")]);

    // SIGKILL as soon as the first batch is committed. One node process (tsx as a loader, not
    // tsx's wrapper process), so the signal kills the process doing the work.
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "scripts/billing.ts", "run", "--month", "2025-01"],
      {
        env: { ...process.env, DATABASE_URL: killedUrl },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes("invoices issued")) child.kill("SIGKILL");
      });
      child.on("exit", () => resolve());
    });
    expect(child.signalCode).toBe("SIGKILL");
    const partial = openDatabase(killedUrl);
    const issuedBeforeKill = Number(
      (
        await partial.db
          .selectFrom("invoices")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
    await partial.close();
    expect(issuedBeforeKill).toBeGreaterThan(0);
    expect(issuedBeforeKill).toBeLessThan(6000);

    const rerun = billing(killedUrl, "run", "--month", "2025-01");
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain(`(${issuedBeforeKill} issued by an earlier run)`);
    const again = billing(killedUrl, "run", "--month", "2025-01");
    expect(again.stdout).toContain("already closed; nothing new issued (6000 invoices)");

    expect(billing(cleanUrl, "run", "--month", "2025-01").status).toBe(0);
    for (const flags of [[], ["--lines"]]) {
      const exported = (url: string, name: string) => {
        const out = join(dir, name);
        expect(billing(url, "export", "--month", "2025-01", "--out", out, ...flags).status).toBe(0);
        return readFileSync(out, "utf8");
      };
      const a = exported(killedUrl, `killed${flags.length}.csv`);
      const b = exported(cleanUrl, `clean${flags.length}.csv`);
      expect(a.split("\r\n").length).toBeGreaterThan(6000);
      expect(a).toBe(b);
    }
  }, 120_000);
});
