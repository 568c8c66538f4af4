// One form convention (issue 16 item 1): actions read their forms through a zod schema per form
// (app/lib/form.ts parseForm, app/lib/fields.ts), never by hand — `Number("")` is 0 and
// `Number("x")` is NaN, and a cast lets any string through as a code — and an intent that no
// form of the page sends is a 400 that writes nothing, instead of falling through to a write.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { login } from "../app/auth/session.server";
import { dateField, idField, monthField, optionalYenField, yenField } from "../app/lib/fields";
import { parseForm, UNKNOWN_INTENT } from "../app/lib/form";
import {
  conflict,
  failureFields,
  failureStatus,
  invalidField,
  notAllowed,
  rateLimited,
  unauthenticated,
} from "../app/lib/result";
import { action as bankCreditsAction } from "../app/routes/_console.bank-credits";
import { action as transferAction } from "../app/routes/_console.contracts.$contractId_.transfer";
import { action as invoiceAction } from "../app/routes/_console.invoices.$invoiceId";
import { DEMO_PASSWORD } from "../db/demo/seed";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { clientRequest, responseOf } from "./support/request";
import { instantOf, isoDate } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

const ROUTES = join(__dirname, "../app/routes");

// Hand parsing of a posted value: Number(values.x), Number(form.get("x")), Number(String(form…)),
// and casts of form input to a code type (values.kind as HolderChangeKind).
const HAND_PARSED = [
  /Number\(\s*(values|form|fields|input)\.[A-Za-z_]/,
  /Number\(\s*(form|formData)\.get\(/,
  /Number\(\s*String\(\s*(form|formData)\.get\(/,
  /\b(values|form|fields)\.[A-Za-z_]+\s+as\s+[A-Z]\w*/,
  /(form|formData)\.get\([^)]*\)\s+as\s+[A-Z]\w*/,
];

describe("route actions parse their forms through a schema", () => {
  it("no route hand-parses a number from a form value or casts form input to a type", () => {
    const offences: string[] = [];
    for (const file of readdirSync(ROUTES).filter((f) => f.endsWith(".tsx"))) {
      readFileSync(join(ROUTES, file), "utf8")
        .split("\n")
        .forEach((line, n) => {
          if (HAND_PARSED.some((re) => re.test(line)))
            offences.push(`${file}:${n + 1}: ${line.trim()}`);
        });
    }
    expect(offences).toEqual([]);
  });

  it("the check itself finds the forms it forbids", () => {
    for (const line of [
      "const changeId = Number(values.changeId);",
      'suspensionId: Number(form.get("suspensionId")),',
      "const kind = values.kind as HolderChangeKind;",
    ])
      expect(HAND_PARSED.some((re) => re.test(line))).toBe(true);
    expect(HAND_PARSED.some((re) => re.test("const id = idParam(params.id);"))).toBe(false);
  });
});

describe("shared field schemas and parseForm", () => {
  const Form = z.discriminatedUnion("intent", [
    z.object({
      intent: z.literal("pay"),
      amount: yenField("入金額", { min: 1 }),
      on: dateField("入金日"),
    }),
    z.object({ intent: z.literal("remove"), id: idField("明細") }),
  ]);
  const body = (fields: Record<string, string>) => new URLSearchParams(fields);
  const form = (fields: Record<string, string>) => {
    const f = new FormData();
    for (const [k, v] of body(fields)) f.append(k, v);
    return f;
  };

  it("reads yen as people type them, ids and dates, typed", () => {
    expect(
      parseForm(Form, form({ intent: "pay", amount: "１,２００円", on: "2026-11-20" })),
    ).toEqual({
      ok: true,
      value: { intent: "pay", amount: 1200, on: "2026-11-20" },
    });
    expect(parseForm(Form, form({ intent: "remove", id: "42" }))).toEqual({
      ok: true,
      value: { intent: "remove", id: 42 },
    });
  });

  it("answers the Japanese message per field for what Number() would have let through", () => {
    expect(parseForm(Form, form({ intent: "pay", amount: "", on: "2026-02-30" }))).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        amount: "入金額は1円以上の整数で入力してください",
        on: "入金日を正しい日付で入力してください",
      },
    });
    for (const id of ["", "x", "0", "-1", "1.5"])
      expect(parseForm(Form, form({ intent: "remove", id }))).toEqual({
        ok: false,
        kind: "validation",
        fields: { id: "明細を選んでください" },
      });
    expect(optionalYenField("入金額").parse("")).toBeNull();
    expect(monthField("請求月").safeParse("2026-13").success).toBe(false);
    expect(monthField("請求月").parse("2026-12")).toBe("2026-12");
  });

  it("an unknown or missing intent is a failure of the whole form", () => {
    for (const fields of [{ intent: "delete_everything", id: "1" }, { id: "1" }] as Record<
      string,
      string
    >[])
      expect(parseForm(Form, form(fields))).toEqual({
        ok: false,
        kind: "validation",
        fields: { _form: UNKNOWN_INTENT },
      });
  });

  it("maps each failure kind to its status", () => {
    expect(failureStatus(invalidField("amount", "x"))).toBe(400);
    expect(failureStatus(conflict("x"))).toBe(409);
    expect(failureStatus(notAllowed("x"))).toBe(403);
    expect(failureStatus(unauthenticated("x"))).toBe(401);
    expect(failureStatus(rateLimited("x", 60))).toBe(429);
    expect(failureFields(conflict("処理済みです"))).toEqual({ _form: "処理済みです" });
  });
});

// ---- an unknown intent through real actions: 400, nothing written ----------------------------

const BASE = "http://127.0.0.1:3000";
let t: TestDatabase;
const sessions: Record<string, string> = {};

beforeAll(async () => {
  process.env.CONSOLE_URL = BASE;
  process.env.APP_NOW = TEST_NOW.toISOString().replace("Z", "+00:00");
  t = await createTestDatabase({ seed: true, events: false });
  for (const email of [
    "finance@demo.example",
    "operator@demo.example",
    "admin@demo.example",
    "reseller2@demo.example",
  ]) {
    const result = await login(email, DEMO_PASSWORD, clientRequest("10.0.0.9"));
    if (result.ok !== true) throw new Error(`login ${email}`);
    sessions[email] = result.value.headers.getSetCookie()[0].split(";")[0];
  }
}, 60_000);
afterAll(() => {
  delete process.env.APP_NOW;
  t.dispose();
});

const post = (path: string, as: string, body: Record<string, string>) =>
  new Request(`${BASE}${path}`, {
    method: "POST",
    body: new URLSearchParams(body),
    headers: { Cookie: sessions[as], "Content-Type": "application/x-www-form-urlencoded" },
  });
async function statusOf(fn: () => Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const r = (await responseOf(fn)) as unknown;
  if (r instanceof Response) return { status: r.status, body: null };
  const d = r as { data: unknown; init?: { status?: number } | null };
  return { status: d.init?.status ?? 200, body: d.data };
}
/** Rows of every table a form could write to, to show an unknown intent wrote nothing. */
async function writes() {
  const tables = [
    "payments",
    "credit_notes",
    "interest_waivers",
    "bank_credits",
    "audit_log",
    "idempotency_keys",
    "contract_changes",
    "manual_lines",
    "licenses",
    "contract_holder_changes",
    "webhook_endpoints",
  ] as const;
  const out: Record<string, unknown> = {};
  for (const table of tables) {
    out[table] = await t.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  }
  out.bankCreditStatus = await t.db.selectFrom("bank_credits").select(["id", "status"]).execute();
  return out;
}

describe("an unknown intent is a 400 and writes nothing", () => {
  it("on the invoice page (it used to record a payment)", async () => {
    const invoice = await t.db
      .selectFrom("invoices")
      .select("id")
      .where("invoice_number", "=", "INV-00000054")
      .executeTakeFirstOrThrow();
    const before = await writes();
    const answer = await statusOf(() =>
      invoiceAction({
        request: post(`/invoices/${invoice.id}`, "finance@demo.example", {
          intent: "refund_everything",
          paidOn: "2026-11-20",
          amountYen: "1000",
        }),
        params: { invoiceId: String(invoice.id) },
        context: {},
      }),
    );
    expect(answer).toEqual({
      status: 400,
      body: { errors: { _form: UNKNOWN_INTENT }, form: "payment" },
    });
    expect(await writes()).toEqual(before);
  });

  it("on 入金の照合 (it used to assign the credit)", async () => {
    const [credit] = await t.db
      .insertInto("bank_credits")
      .values({
        line_key: "conventions-1",
        transaction_date: isoDate("2026-11-20"),
        amount_yen: toYen(1000),
        payer_name: "テスト",
        payer_kana: "テスト",
        status: "pending",
        invoice_id: null,
        imported_at: instantOf(TEST_NOW),
        resolved_by: null,
        resolved_at: null,
      })
      .returning("id")
      .execute();
    const before = await writes();
    const answer = await statusOf(() =>
      bankCreditsAction({
        request: post("/bank-credits", "finance@demo.example", {
          intent: "merge",
          creditId: String(credit.id),
          invoiceNumber: "INV-00000054",
        }),
        params: {},
        context: {},
      }),
    );
    expect(answer).toEqual({
      status: 400,
      body: { creditId: credit.id, error: UNKNOWN_INTENT },
    });
    expect(await writes()).toEqual(before);
  });

  it("on 譲渡・承継 (it used to file a transfer request)", async () => {
    const contract = await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-2002")
      .executeTakeFirstOrThrow();
    const before = await writes();
    const answer = await statusOf(() =>
      transferAction({
        request: post(`/contracts/${contract.id}/transfer`, "reseller2@demo.example", {
          intent: "transfer_now",
          kind: "transfer",
          name: "株式会社つばさ不動産",
          address: "宮城県仙台市青葉区一番町2-2-2",
          phone: "022-261-0000",
          email: "keiri@tsubasa-fudosan.example",
          evidence: "signed_by_both",
          consent: "on",
        }),
        params: { contractId: String(contract.id) },
        context: {},
      }),
    );
    expect(answer.status).toBe(400);
    expect((answer.body as { errors: unknown }).errors).toEqual({ _form: UNKNOWN_INTENT });
    expect(await writes()).toEqual(before);
  });

  it("a change id that is not a number is a field error, not NaN reaching the write", async () => {
    const contract = await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-2002")
      .executeTakeFirstOrThrow();
    const answer = await statusOf(() =>
      transferAction({
        request: post(`/contracts/${contract.id}/transfer`, "reseller2@demo.example", {
          intent: "withdraw",
          changeId: "abc",
        }),
        params: { contractId: String(contract.id) },
        context: {},
      }),
    );
    expect(answer.status).toBe(400);
    expect((answer.body as { errors: unknown }).errors).toEqual({
      changeId: "手続きを選んでください",
    });
  });
});
