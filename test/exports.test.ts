// Finance exports of a month of demo data: Excel-ready CSV, Shift_JIS, a balanced 弥生会計
// journal, and every PDF in one zip.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  invoiceCsvFile,
  invoicePdfZip,
  journalCsvFile,
  lineCsvFile,
} from "../app/billing/exports.server";
import { INVOICE_CSV_COLUMNS, invoiceCsv, lineCsv } from "../app/billing/export.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { yearMonth } from "../app/lib/jst";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
});
afterAll(() => t.dispose());

describe("exports", () => {
  it("writes UTF-8 CSV with a BOM for Excel, and Shift_JIS on request", async () => {
    const utf8 = await invoiceCsvFile(t.db, yearMonth("2026-09"), "utf8");
    expect([...utf8.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const sjis = await lineCsvFile(t.db, yearMonth("2026-09"), "sjis");
    const text = iconv.decode(sjis, "Shift_JIS");
    expect(text).toContain("解約違約金（残5か月）");
    expect(sjis.includes(Buffer.from("解約違約金", "utf8"))).toBe(false);
  });

  it("gives Excel Japanese headers, dates and tax categories; the command-line CSV keeps its specified columns (decision 0026)", async () => {
    const invoices = (await invoiceCsvFile(t.db, yearMonth("2026-09"), "utf8"))
      .toString("utf8")
      .slice(1)
      .split("\r\n");
    expect(invoices[0]).toBe(
      "請求書番号,顧客番号,契約番号,請求月,発行日,支払期限,10%対象（税抜）,消費税（10%）,非課税・不課税,合計（税込）",
    );
    expect(invoices[1]).toMatch(
      /^INV-\d{8},C\d+,K-\d{4},2026年9月分,2026年10月1日,2026年10月31日,\d+,\d+,\d+,\d+$/,
    );
    const lines = iconv
      .decode(await lineCsvFile(t.db, yearMonth("2026-09"), "sjis"), "Shift_JIS")
      .split("\r\n");
    expect(lines[0]).toBe("請求書番号,契約番号,請求月,項目コード,根拠,内容,数量,単価,金額,税区分");
    expect(
      lines
        .slice(1)
        .filter(Boolean)
        .every((l) => /,(課税（10%）|非課税・不課税)$/.test(l)),
    ).toBe(true);
    expect(lines.join("\n")).not.toMatch(/taxable_10|non_taxable/);
    const cli = await invoiceCsv(t.db, yearMonth("2026-09"));
    expect(cli.split("\n")[0].trim()).toBe(INVOICE_CSV_COLUMNS.join(","));
    expect((await lineCsv(t.db, yearMonth("2026-09"))).split("\n")[1]).toMatch(
      /,(taxable_10|non_taxable)\r?$/,
    );
  });

  it("balances the journal: debits equal credits, and equal the month's invoice totals", async () => {
    const csv = iconv.decode(await journalCsvFile(t.db, yearMonth("2026-09")), "Shift_JIS");
    const rows = csv
      .trimEnd()
      .split("\r\n")
      .map((line) => line.split(","));
    expect(rows.every((r) => r.length === 25)).toBe(true);
    const debit = rows.reduce((a, r) => a + Number(r[8] || 0), 0);
    const credit = rows.reduce((a, r) => a + Number(r[14] || 0), 0);
    const totals = await t.db
      .selectFrom("invoices")
      .select((eb) => eb.fn.sum<number>("total_yen").as("t"))
      .where("billing_month", "=", yearMonth("2026-09"))
      .executeTakeFirstOrThrow();
    expect(debit).toBe(credit);
    expect(debit).toBe(Number(totals.t));
    // The ETF of K-1006 is booked on its own account, not as sales.
    expect(rows.some((r) => r[10] === "雑収入" && r[13] === "不課税" && r[14] === "15000")).toBe(
      true,
    );
    expect(new Set(rows.filter((r) => r[4]).map((r) => r[4]))).toEqual(new Set(["売掛金"]));
  });

  it("zips every invoice PDF of the month: unzip lists them and pdftotext reads one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zip-"));
    try {
      const zip = join(dir, "m.zip");
      await writeFile(zip, await invoicePdfZip(t.db, yearMonth("2026-09")));
      const env = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };
      const names = execFileSync("unzip", ["-Z1", zip], { env, encoding: "utf8" })
        .trim()
        .split("\n");
      expect(names).toHaveLength(10);
      expect(names).toContain("請求書_INV-00000045_なにわ会計事務所.pdf");
      expect(execFileSync("unzip", ["-t", zip], { env, encoding: "utf8" })).toMatch(
        /No errors detected/,
      );
      const pdf = join(dir, "one.pdf");
      writeFileSync(
        pdf,
        execFileSync("unzip", ["-p", zip, "請求書_INV-00000045_なにわ会計事務所.pdf"], { env }),
      );
      const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
      expect(text).toContain("INV-00000045");
      expect(text).toContain("なにわ会計事務所");
      // The same month gives the same bytes (fixed timestamps, fixed order).
      const again = join(dir, "again.zip");
      await writeFile(again, await invoicePdfZip(t.db, yearMonth("2026-09")));
      expect(readFileSync(again).equals(readFileSync(zip))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
