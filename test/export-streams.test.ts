// Issue 17 item 2: the month's finance downloads are written a chunk of rows at a time (memory does
// not grow with the month), and the streamed file is the whole month: the same rows, bytes and
// totals as the database holds, in UTF-8 with a BOM, Shift_JIS, and the 弥生会計 journal.
import iconv from "iconv-lite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  collectBytes,
  invoiceCsvBytes,
  journalCsvBytes,
  lineCsvBytes,
} from "../app/billing/exports.server";
import { portfolio, portfolioCsvChunks } from "../app/contracts/portfolio.server";
import { loader as exportFile } from "../app/routes/_console.billing.$month_.export.$kind";
import { loader as portfolioCsv } from "../app/routes/_console.portfolio_.csv";
import { jstDate, yearMonth } from "../app/lib/jst";
import { now } from "../app/lib/clock";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { BASE, getAs, signInAll } from "./support/route-calls";

let t: TestDatabase;
let sessions: Record<string, string>;
const MONTH = "2026-09";

beforeEach(async () => {
  process.env.CONSOLE_URL = BASE;
  t = await createTestDatabase({ seed: true });
  sessions = await signInAll(["finance@demo.example", "reseller@demo.example"]);
});
afterEach(() => t.dispose());

async function parts(bytes: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const part of bytes) out.push(part);
  return out;
}

describe("streamed month exports", () => {
  it("writes the invoice CSV chunk by chunk, the same bytes and every invoice of the month", async () => {
    const invoices = await t.db
      .selectFrom("invoices")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.sum<number>("total_yen").as("s")])
      .where("billing_month", "=", yearMonth(MONTH))
      .executeTakeFirstOrThrow();
    const n = Number(invoices.n);
    expect(n).toBeGreaterThan(7);
    for (const encoding of ["utf8", "sjis"] as const) {
      const small = await parts(invoiceCsvBytes(t.db, yearMonth(MONTH), encoding, 7));
      // BOM (UTF-8 only), header, then one part per 7 invoices.
      expect(small.length).toBe((encoding === "utf8" ? 2 : 1) + Math.ceil(n / 7));
      const whole = Buffer.concat(small);
      expect(
        whole.equals(await collectBytes(invoiceCsvBytes(t.db, yearMonth(MONTH), encoding, 10_000))),
      ).toBe(true);
      const text = encoding === "sjis" ? iconv.decode(whole, "Shift_JIS") : whole.toString("utf8");
      const lines = text
        .replace(/^\uFEFF/, "")
        .trimEnd()
        .split("\r\n");
      expect(lines[0].startsWith("請求書番号,")).toBe(true);
      expect(lines).toHaveLength(n + 1);
      const total = lines.slice(1).reduce((a, l) => a + Number(l.split(",").at(-1)), 0);
      expect(total).toBe(Number(invoices.s));
    }
  });

  it("streams the line CSV and the journal whole in small chunks", async () => {
    const lineCount = Number(
      (
        await t.db
          .selectFrom("invoice_lines")
          .innerJoin("invoices", "invoices.id", "invoice_lines.invoice_id")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("invoices.billing_month", "=", yearMonth(MONTH))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const lines = await parts(lineCsvBytes(t.db, yearMonth(MONTH), "utf8", 5));
    expect(lines.length).toBe(2 + Math.ceil(lineCount / 5));
    expect(Buffer.concat(lines).toString("utf8").trimEnd().split("\r\n")).toHaveLength(
      lineCount + 1,
    );
    const journal = Buffer.concat(await parts(journalCsvBytes(t.db, yearMonth(MONTH), 3)));
    expect(
      journal.equals(await collectBytes(journalCsvBytes(t.db, yearMonth(MONTH), 10_000))),
    ).toBe(true);
    const slips = iconv.decode(journal, "Shift_JIS").trimEnd().split("\r\n");
    expect(slips.length).toBeGreaterThan(3);
  });

  it("answers the download as a stream to finance, and 403 to a reseller", async () => {
    const response = (await exportFile({
      request: getAs(
        sessions,
        `/billing/${MONTH}/export/invoices?encoding=sjis`,
        "finance@demo.example",
      ),
      params: { month: MONTH, kind: "invoices" },
      context: {},
    })) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=Shift_JIS");
    expect(response.body).toBeInstanceOf(ReadableStream);
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.equals(await collectBytes(invoiceCsvBytes(t.db, yearMonth(MONTH), "sjis")))).toBe(
      true,
    );
    const denied = await exportFile({
      request: getAs(sessions, `/billing/${MONTH}/export/invoices`, "reseller@demo.example"),
      params: { month: MONTH, kind: "invoices" },
      context: {},
    }).catch((e: unknown) => e);
    expect((denied as Response).status).toBe(403);
  });
});

describe("streamed portfolio CSV", () => {
  it("lists every contract of the tenant, priced as the portfolio page prices them, in chunks", async () => {
    const r1 = await t.db
      .selectFrom("resellers")
      .select("id")
      .where("ref", "=", "R1")
      .executeTakeFirstOrThrow();
    const today = jstDate(now());
    for (const [as, tenant] of [
      ["finance@demo.example", { kind: "provider" } as const],
      ["reseller@demo.example", { kind: "reseller", resellerId: r1.id } as const],
    ] as const) {
      const whole = await portfolio(t.db, tenant, today);
      const chunks: {
        ref: string;
        mrrYen: number;
        etf: number | null;
        renewal: string | null;
      }[][] = [];
      for await (const chunk of portfolioCsvChunks(t.db, tenant, today, 7))
        chunks.push(
          chunk.map((c) => ({
            ref: c.ref,
            mrrYen: c.mrrYen,
            etf: c.cancellation?.etfYen ?? null,
            renewal: c.renewalMonth,
          })),
        );
      expect(chunks.length).toBe(Math.ceil(whole.contracts.length / 7));
      const renewals = new Map(whole.renewals.map((r) => [r.ref, r.renewalMonth]));
      const etfs = new Map(whole.cancellations.map((c) => [c.ref, c.etfYen]));
      expect(chunks.flat()).toEqual(
        whole.contracts.map((c) => ({
          ref: c.ref,
          mrrYen: c.mrrYen,
          etf: etfs.get(c.ref) ?? null,
          renewal: renewals.get(c.ref) ?? null,
        })),
      );
      expect(whole.cancellations.length + whole.renewals.length).toBeGreaterThan(0);

      const response = (await portfolioCsv({
        request: getAs(sessions, "/portfolio/csv", as),
        params: {},
        context: {},
      })) as Response;
      expect(response.body).toBeInstanceOf(ReadableStream);
      const lines = (await response.text())
        .replace(/^\uFEFF/, "")
        .trimEnd()
        .split("\r\n");
      expect(lines[0]).toBe(
        "契約番号,顧客,販売店,回線ID,状態,月額（税抜）,契約更新月（90日以内）,解約日,解約違約金",
      );
      expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(whole.contracts.map((c) => c.ref));
      const mrr = lines.slice(1).reduce((a, l) => a + Number(l.split(",")[5]), 0);
      expect(mrr).toBe(whole.mrrYen);
    }
  });
});
