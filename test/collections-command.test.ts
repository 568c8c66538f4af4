// 口座振替 and bank transfers through the real command (issue 20, items 1 and 2; docs/rules/zengin.md): three
// direct-debit customers and one paying by transfer, the request file checked byte by byte, a
// result file with one failure imported twice, a statement with an exact and an ambiguous credit,
// and malformed files refused with their record and field while nothing is recorded.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  assignCredit,
  debitFailures,
  dismissCredit,
  importStatement,
  pagePendingCredits,
} from "../app/collections/collections.server";
import { getInvoice } from "../app/billing/invoices.server";
import { migrateToLatest, openDatabase } from "../db/connection";
import { instant, isoDate, type IsoDate, yearMonth, type YearMonth } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

const FIRST_PAGE = { page: 1, size: 50, sort: "date", dir: "asc" } as const;

const ROOT = join(import.meta.dirname, "..");
let dir: string;
let url: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "collections-"));
  url = `file:${join(dir, "app.db")}`;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(appNow: string, ...args: string[]) {
  const r = spawnSync(join(ROOT, "node_modules/.bin/tsx"), ["scripts/collections.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, APP_NOW: appNow },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function withDb<T>(fn: (handle: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T> {
  const handle = openDatabase(url);
  try {
    await migrateToLatest(handle.db);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

async function rowCounts(): Promise<Record<string, number>> {
  return withDb(async ({ sqlite }) => {
    const tables = sqlite
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
      .all() as { name: string }[];
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        (sqlite.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n,
      ]),
    );
  });
}

const PROVIDER_TENANT = { kind: "provider" } as const;

/** A: みずほ 東京営業部 11,000; B: 22,000 of which 2,000 paid; C: 5,500 — all due Mon 2026-11-23 (勤労感謝の日). */
async function scenario() {
  return withDb(async ({ db }) => {
    await db
      .insertInto("provider")
      .values({
        name: "セキュアライン株式会社",
        address: "東京都",
        phone: "0120-555-310",
        email: "b@example.jp",
        registration_number: "T5010001234566",
        bank_account: "みずほ銀行",
        debit_consignor_code: "1234567890",
        debit_consignor_kana: "ｾｷｭｱﾗｲﾝ(ｶ",
        debit_bank_code: "0001",
        debit_branch_code: "001",
        debit_account_type: 1,
        debit_account_number: "7654321",
      } as never)
      .execute();
    const at = instant("2026-11-01T00:00:00.000Z");
    const ids: Record<string, number> = {};
    let seq = 100;
    const customers = [
      {
        ref: "C-A",
        name: "エー株式会社",
        kana: null,
        debit: {
          bank_code: "0001",
          branch_code: "001",
          account_type: 1,
          account_number: "1111111",
          holder_kana: "ｴｰ(ｶ",
        },
      },
      {
        ref: "C-B",
        name: "ビー商店",
        kana: null,
        debit: {
          bank_code: "0005",
          branch_code: "001",
          account_type: 1,
          account_number: "2222222",
          holder_kana: "ﾋﾞｰｼﾖｳﾃﾝ",
        },
      },
      {
        ref: "C-C",
        name: "シー合同会社",
        kana: null,
        debit: {
          bank_code: "0009",
          branch_code: "001",
          account_type: 2,
          account_number: "0333333",
          holder_kana: "ｼｰ(ﾄﾞ",
        },
      },
      { ref: "C-D", name: "テスト商事株式会社", kana: "テストシヨウジ", debit: null },
      { ref: "C-F", name: "エフ商店", kana: "ｴﾌｼﾖｳﾃﾝ", debit: null },
    ];
    for (const c of customers) {
      const { id } = await db
        .insertInto("customers")
        .values({
          ref: c.ref,
          reseller_id: null,
          name: c.name,
          email: `${c.ref}@example.jp`,
          phone: "03",
          address: "東京都",
          created_at: at,
          kana_name: c.kana,
        } as never)
        .returning("id")
        .executeTakeFirstOrThrow();
      if (c.debit)
        await db
          .insertInto("customer_direct_debits")
          .values({ customer_id: id, ...c.debit, updated_at: at, updated_by: null })
          .execute();
      const contract = await db
        .insertInto("contracts")
        .values({
          ref: `K-${c.ref}`,
          customer_id: id,
          line_id: `L-${c.ref}`,
          area: "east",
          base_plan: "basic",
          service_start: "2026-01-01",
          status: "active",
          termination_date: null,
          offline_threshold_minutes: 30,
          admin_email: "a@example.jp",
          admin_phone: "03",
          created_at: at,
          holder_since: null,
          holder_first_day: null,
        } as never)
        .returning("id")
        .executeTakeFirstOrThrow();
      ids[c.ref] = contract.id;
    }
    const invoice = async (ref: string, month: YearMonth, dueDate: IsoDate, total: number) => {
      seq += 1;
      const { id } = await db
        .insertInto("invoices")
        .values({
          seq,
          invoice_number: `INV-${String(seq).padStart(8, "0")}`,
          contract_id: ids[ref],
          billing_month: month,
          issue_date: isoDate("2026-11-01"),
          due_date: dueDate,
          taxable_10_yen: toYen(total),
          tax_10_yen: toYen(0),
          non_taxable_yen: toYen(0),
          interest_yen: toYen(0),
          total_yen: toYen(total),
          line_count: 0,
          recipient_name: ref,
          recipient_address: "東京都",
          issued_at: at,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return { id, seq };
    };
    const inv = {
      a: await invoice("C-A", yearMonth("2026-10"), isoDate("2026-11-23"), 11_000),
      b: await invoice("C-B", yearMonth("2026-10"), isoDate("2026-11-23"), 22_000),
      c: await invoice("C-C", yearMonth("2026-10"), isoDate("2026-11-23"), 5_500),
      aLater: await invoice("C-A", yearMonth("2026-11"), isoDate("2026-12-31"), 11_000),
      d: await invoice("C-D", yearMonth("2026-10"), isoDate("2026-11-30"), 33_000),
      f1: await invoice("C-F", yearMonth("2026-09"), isoDate("2026-11-30"), 7_700),
      f2: await invoice("C-F", yearMonth("2026-10"), isoDate("2026-11-30"), 7_700),
    };
    await db
      .insertInto("payments")
      .values({
        contract_id: ids["C-B"],
        billing_month: yearMonth("2026-10"),
        paid_on: isoDate("2026-11-05"),
        amount_yen: toYen(2_000),
        recorded_by: "t",
        created_at: at,
      })
      .execute();
    return inv;
  });
}

const records = (bytes: Buffer) => {
  const text = bytes.toString("latin1");
  expect(text.endsWith("\r\n")).toBe(true);
  return text.slice(0, -2).split("\r\n");
};
const kana = (record: string, from: number, to: number) =>
  iconv.decode(Buffer.from(record.slice(from, to), "latin1"), "Shift_JIS");

/** The bank's answer: the request with each data record's result code set, trailer totals filled. */
function resultFileOf(request: Buffer, codes: string[], patch?: (lines: string[]) => void): Buffer {
  const lines = records(request);
  let paid = 0,
    paidYen = 0,
    failed = 0,
    failedYen = 0;
  for (let i = 1; i <= codes.length; i++) {
    lines[i] = lines[i].slice(0, 111) + codes[i - 1] + lines[i].slice(112);
    const yen = Number(lines[i].slice(80, 90));
    if (codes[i - 1] === "0") {
      paid++;
      paidYen += yen;
    } else {
      failed++;
      failedYen += yen;
    }
  }
  const t = lines[codes.length + 1];
  lines[codes.length + 1] =
    t.slice(0, 19) +
    String(paid).padStart(6, "0") +
    String(paidYen).padStart(12, "0") +
    String(failed).padStart(6, "0") +
    String(failedYen).padStart(12, "0") +
    t.slice(55);
  patch?.(lines);
  return Buffer.from(lines.map((l) => `${l}\r\n`).join(""), "latin1");
}

describe("口座振替: request file, result file", () => {
  it("writes the request byte by byte, imports a result with one failure once, refuses malformed files", async () => {
    const inv = await scenario();
    const out = join(dir, "request.txt");
    const req = run("2026-11-20T10:00:00+09:00", "request", "--date", "2026-11-23", "--out", out);
    expect(req.stderr).toBe("");
    expect(JSON.parse(req.stdout)).toEqual({
      date: "2026-11-23",
      debitDate: "2026-11-24",
      count: 3,
      yen: 36_500,
      file: out,
    });
    const bytes = readFileSync(out);
    expect(bytes.length).toBe(6 * 122);
    const lines = records(bytes);
    expect(lines.map((l) => Buffer.byteLength(l, "latin1"))).toEqual([
      120, 120, 120, 120, 120, 120,
    ]);
    const [h, a, b, c, t, e] = lines;
    // Header: 1 91 0, 委託者コード, 委託者名 (40), 引落日 MMDD = 1124 (11/23 is a holiday), bank 0001 ﾐｽﾞﾎ, branch 001, 普通, 7654321.
    expect(h.slice(0, 14)).toBe("19101234567890");
    expect(kana(h, 14, 54)).toBe("ｾｷﾕｱﾗｲﾝ(ｶ".padEnd(40, " ")); // small kana written large, as banks do
    expect(h.slice(54, 58)).toBe("1124");
    expect(h.slice(58, 62)).toBe("0001");
    expect(kana(h, 62, 77)).toBe("ﾐｽﾞﾎ".padEnd(15, " "));
    expect(h.slice(77, 80)).toBe("001");
    expect(kana(h, 80, 95)).toBe("ﾄｳｷﾖｳ".padEnd(15, " "));
    expect(h.slice(95, 103)).toBe("17654321");
    expect(h.slice(103)).toBe(" ".repeat(17));
    // Data: A at みずほ, 11,000, 新規 1, 顧客番号 = invoice digits.
    expect(a[0]).toBe("2");
    expect(a.slice(1, 5)).toBe("0001");
    expect(a.slice(20, 23)).toBe("001");
    expect(a.slice(38, 42)).toBe("    ");
    expect(a.slice(42, 50)).toBe("11111111");
    expect(kana(a, 50, 80)).toBe("ｴｰ(ｶ".padEnd(30, " "));
    expect(a.slice(80, 91)).toBe("00000110001");
    expect(a.slice(91, 111)).toBe(String(inv.a.seq).padStart(20, "0"));
    expect(a.slice(111)).toBe("0" + " ".repeat(8));
    expect(b.slice(80, 90)).toBe("0000020000"); // 22,000 less the 2,000 already paid
    expect(c.slice(42, 50)).toBe("20333333"); // 当座
    // Trailer: 3 records, 36,500 yen, the result fields zero in a request.
    expect(t).toBe(
      "8" +
        "000003" +
        "000000036500" +
        "000000" +
        "000000000000" +
        "000000" +
        "000000000000" +
        " ".repeat(65),
    );
    expect(e).toBe("9" + " ".repeat(119));

    // A malformed result: record 3 (B) has letters in its amount; nothing is recorded.
    const before = await rowCounts();
    const bad = join(dir, "bad.txt");
    writeFileSync(
      bad,
      resultFileOf(bytes, ["0", "1", "0"], (ls) => {
        ls[2] = ls[2].slice(0, 80) + "00002A0000" + ls[2].slice(90);
      }),
    );
    const refused = run("2026-11-25T10:00:00+09:00", "import-result", bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `${bad}: record 3 (引落金額): 数字10桁ではありません: "00002A0000"\n`,
    );
    expect(refused.stdout).toBe("");
    // A trailer that does not add up is refused too, naming the trailer's field.
    writeFileSync(
      bad,
      resultFileOf(bytes, ["0", "1", "0"], (ls) => {
        ls[4] = ls[4].slice(0, 19) + "000003" + ls[4].slice(25);
      }),
    );
    expect(run("2026-11-25T10:00:00+09:00", "import-result", bad).stderr).toBe(
      `${bad}: record 5 (振替済件数): データレコードの集計（2）と一致しません: 3\n`,
    );
    expect(await rowCounts()).toEqual(before);

    // T-17: A and B are suspended for non-payment; the debit that went through lifts A's only.
    await withDb(async ({ db }) => {
      for (const ref of ["K-C-A", "K-C-B"]) {
        const { id } = await db
          .selectFrom("contracts")
          .select("id")
          .where("ref", "=", ref)
          .executeTakeFirstOrThrow();
        await db
          .updateTable("contracts")
          .set({ status: "suspended" })
          .where("id", "=", id)
          .execute();
        await db
          .insertInto("suspensions")
          .values({
            contract_id: id,
            reason_code: "non_payment",
            reason_note: null,
            starts_on: isoDate("2026-11-20"),
            ends_on: null,
            emergency: 0,
            notified_at: null,
            lifted_at: null,
            lifted_reason: null,
            created_by: "t",
            created_at: instant("2026-11-20T00:00:00.000Z"),
          })
          .execute();
      }
    });
    const result = join(dir, "result.txt");
    writeFileSync(result, resultFileOf(bytes, ["0", "1", "0"]));
    const imported = run("2026-11-25T10:00:00+09:00", "import-result", result);
    expect(imported.stderr).toBe("");
    expect(JSON.parse(imported.stdout)).toEqual({
      paid: 2,
      paidYen: 16_500,
      failed: 1,
      failedYen: 20_000,
      alreadyRecorded: 0,
    });
    await withDb(async ({ db }) => {
      const state = async (id: number) => {
        const found = (await getInvoice(
          db,
          { id, tenant: PROVIDER_TENANT },
          isoDate("2026-11-25"),
        ))!;
        return {
          state: found.state,
          outstanding: found.outstandingYen,
          paidOn: found.payments.map((p) => p.paidOn),
        };
      };
      expect(await state(inv.a.id)).toEqual({
        state: "paid",
        outstanding: 0,
        paidOn: ["2026-11-24"],
      });
      expect(await state(inv.c.id)).toEqual({
        state: "paid",
        outstanding: 0,
        paidOn: ["2026-11-24"],
      });
      expect(await state(inv.b.id)).toEqual({
        state: "partial",
        outstanding: 20_000,
        paidOn: ["2026-11-05"],
      });
      const contracts = await db
        .selectFrom("contracts")
        .leftJoin("suspensions", "suspensions.contract_id", "contracts.id")
        .select(["contracts.ref", "contracts.status", "suspensions.lifted_reason"])
        .where("contracts.ref", "in", ["K-C-A", "K-C-B"])
        .orderBy("contracts.ref")
        .execute();
      expect(contracts).toEqual([
        { ref: "K-C-A", status: "active", lifted_reason: "未払い料金の入金" },
        { ref: "K-C-B", status: "suspended", lifted_reason: null },
      ]);
      const failures = await debitFailures(db, [inv.a.id, inv.b.id, inv.c.id]);
      expect([...failures.entries()]).toEqual([
        [inv.b.id, { debitDate: "2026-11-24", code: "1", label: "資金不足" }],
      ]);
    });
    const afterFirst = await rowCounts();
    const again = run("2026-11-25T10:00:00+09:00", "import-result", result);
    expect(JSON.parse(again.stdout)).toEqual({
      paid: 0,
      paidYen: 0,
      failed: 0,
      failedYen: 0,
      alreadyRecorded: 3,
    });
    expect(await rowCounts()).toEqual(afterFirst);

    // A's next invoice, due Thu 12/31: 12/31–1/3 and the weekend move it to Mon 2027-01-04; A was debited: 新規コード 0.
    const next = run("2026-12-20T10:00:00+09:00", "request", "--date", "2026-12-31", "--out", out);
    expect(JSON.parse(next.stdout)).toEqual({
      date: "2026-12-31",
      debitDate: "2027-01-04",
      count: 1,
      yen: 11_000,
      file: out,
    });
    const [h2, a2] = records(readFileSync(out));
    expect(h2.slice(54, 58)).toBe("0104");
    expect(a2.slice(80, 111)).toBe("0000011000" + "0" + String(inv.aLater.seq).padStart(20, "0"));
  }, 120_000);
});

describe("bank statement: transfers matched", () => {
  it("records the exact match, leaves the ambiguous credit waiting, imports nothing twice, refuses a bad line", async () => {
    const inv = await scenario();
    const csv =
      '取引日,入金額,振込依頼人名\r\n2026/11/26,33000,ｶ)ﾃｽﾄｼｮｳｼﾞ\r\n2026-11-27,"7,700",エフ　ショウテン\r\n';
    const file = join(dir, "statement.csv");
    writeFileSync(file, iconv.encode(csv, "Shift_JIS"));
    const first = run("2026-11-28T10:00:00+09:00", "import-statement", file);
    expect(first.stderr).toBe("");
    expect(JSON.parse(first.stdout)).toEqual({
      credits: 2,
      matched: 1,
      matchedYen: 33_000,
      pending: 1,
      alreadyRecorded: 0,
    });
    const afterFirst = await rowCounts();
    // The same statement as UTF-8 with a BOM: the same credits, nothing twice.
    writeFileSync(file, "\uFEFF" + csv);
    const second = run("2026-11-28T10:00:00+09:00", "import-statement", file);
    expect(JSON.parse(second.stdout)).toEqual({
      credits: 2,
      matched: 0,
      matchedYen: 0,
      pending: 0,
      alreadyRecorded: 2,
    });
    expect(await rowCounts()).toEqual(afterFirst);

    await withDb(async ({ db }) => {
      const d = (await getInvoice(
        db,
        { id: inv.d.id, tenant: PROVIDER_TENANT },
        isoDate("2026-11-28"),
      ))!;
      expect([d.state, d.payments.map((p) => p.paidOn)]).toEqual(["paid", ["2026-11-26"]]);
      const pending = (await pagePendingCredits(db, FIRST_PAGE)).pending;
      expect(
        pending.map((p) => [p.amount_yen, p.payer_name, p.candidates.map((c) => c.id)]),
      ).toEqual([[7_700, "エフ　ショウテン", [inv.f1.id, inv.f2.id]]]);
      const actor = { id: null, email: "finance@example.jp" };
      const at = new Date("2026-11-28T10:00:00+09:00");
      const assigned = await assignCredit(db, {
        creditId: pending[0].id,
        invoiceNumber: `INV-${String(inv.f1.seq).padStart(8, "0")}`,
        at,
        actor,
        ip: "",
      });
      expect(assigned).toEqual({ ok: true });
      expect(
        (await getInvoice(db, { id: inv.f1.id, tenant: PROVIDER_TENANT }, isoDate("2026-11-28")))!
          .state,
      ).toBe("paid");
      expect(
        (await getInvoice(db, { id: inv.f2.id, tenant: PROVIDER_TENANT }, isoDate("2026-11-28")))!
          .state,
      ).toBe("unpaid");
      expect((await pagePendingCredits(db, FIRST_PAGE)).pending).toEqual([]);
      expect(
        await assignCredit(db, {
          creditId: pending[0].id,
          invoiceNumber: "INV-00000001",
          at,
          actor,
          ip: "",
        }),
      ).toEqual({ ok: false, kind: "conflict", message: "この入金はすでに処理されています" });

      // A credit from nobody known waits, and is dismissed.
      const other = await importStatement(db, {
        bytes: Buffer.from("取引日,入金額,振込依頼人名\n2026-11-27,1234,ﾀﾞﾚｶ\n"),
        at,
        actor,
        ip: "",
      });
      expect(other).toEqual({
        ok: true,
        value: { credits: 1, matched: 0, matchedYen: 0, pending: 1, alreadyRecorded: 0 },
      });
      const [waiting] = (await pagePendingCredits(db, FIRST_PAGE)).pending;
      expect([waiting.payer_kana, waiting.candidates]).toEqual(["ﾀﾞﾚｶ", []]);
      expect(await dismissCredit(db, { creditId: waiting.id, at, actor, ip: "" })).toBe(true);
      expect(await dismissCredit(db, { creditId: waiting.id, at, actor, ip: "" })).toBe(false);
      expect((await pagePendingCredits(db, FIRST_PAGE)).pending).toEqual([]);
    });

    const before = await rowCounts();
    writeFileSync(file, "取引日,入金額,振込依頼人名\n2026-11-29,5500,ｼｰ\n2026-11-29,12a,ｼｰ\n");
    const refused = run("2026-11-30T10:00:00+09:00", "import-statement", file);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`${file}: line 3 (入金額): 1円以上の整数ではありません: "12a"\n`);
    expect(await rowCounts()).toEqual(before);
  }, 120_000);
});
