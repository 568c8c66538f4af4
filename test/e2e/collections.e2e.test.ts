// 口座振替 and bank transfers in the browser (issue 20): the provider's 委託者 settings and a
// customer's account entered with Japanese field errors, the request file downloaded from the
// billing page, a statement uploaded and its waiting credit assigned on 入金の照合.
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;

const query = <T>(sql: string, ...params: unknown[]) => queryDatabase<T>(server, sql, ...params)[0];

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("direct debit and bank transfers", () => {
  it("sets up, downloads the request file, and assigns a waiting credit", async () => {
    // K-2002's August invoice (9,900 yen, due Wed 2026-09-30) is unpaid.
    const invoice = query<{
      id: number;
      invoice_number: string;
      customer_id: number;
    }>(`select invoices.id, invoice_number, contracts.customer_id
      from invoices join contracts on contracts.id = contract_id where contracts.ref = 'K-2002' and billing_month = '2026-08'`);

    const admin = await browser.newPage();
    await loginAs(admin, server.url, "admin@demo.example");
    await admin.goto(`${server.url}/settings`);
    await admin.getByLabel("委託者コード").fill("12");
    await admin.getByLabel("委託者名（カナ）").fill("セキュアライン株式会社");
    await admin.getByLabel("取引銀行コード").fill("0001");
    await admin.getByLabel("取引支店コード").fill("001");
    await admin.getByLabel("口座番号").fill("1234567");
    await admin.getByRole("button", { name: "口座振替の設定を保存する" }).click();
    expect(await admin.locator("#consignorCode-error").textContent()).toBe(
      "委託者コードは銀行から通知された数字10桁で入力してください",
    );
    expect(await admin.locator("#consignorKana-error").textContent()).toContain(
      "半角カナ・英大文字・数字・スペースと ( ) - . / で入力してください",
    );
    await admin.getByLabel("委託者コード").fill("1234567890");
    await admin.getByLabel("委託者名（カナ）").fill("セキュアライン（カ");
    await Promise.all([
      admin.waitForURL(/debitSaved=1/),
      admin.getByRole("button", { name: "口座振替の設定を保存する" }).click(),
    ]);
    // With JavaScript the address changes before React renders the saved values: wait for the page's message.
    await admin.getByText("口座振替の設定を保存しました。").waitFor();
    expect(await admin.getByLabel("委託者名（カナ）").inputValue()).toBe("ｾｷﾕｱﾗｲﾝ(ｶ");

    const operator = await browser.newPage();
    await loginAs(operator, server.url, "operator@demo.example");
    await operator.goto(`${server.url}/customers/${invoice.customer_id}`);
    await operator.getByLabel("銀行コード").fill("0001");
    await operator.getByLabel("支店コード").fill("999");
    await operator.getByLabel("口座番号").fill("7654321");
    await operator.getByLabel("口座名義（カナ）").fill("ヤマダ　タロウ");
    await operator.getByRole("button", { name: "お支払い方法を保存する" }).click();
    expect(await operator.locator("#branchCode-error").textContent()).toBe(
      "みずほに支店コード 999 の支店は見つかりません",
    );
    await operator.getByLabel("支店コード").fill("001");
    await Promise.all([
      operator.waitForURL(/debitSaved=1/),
      operator.getByRole("button", { name: "お支払い方法を保存する" }).click(),
    ]);
    expect(await operator.getByTestId("direct-debit").textContent()).toBe(
      "引落口座みずほ（0001） 東京営業部支店（001） 普通 7654321口座名義ﾔﾏﾀﾞ ﾀﾛｳ",
    );

    const finance = await browser.newPage();
    await loginAs(finance, server.url, "finance@demo.example");
    await finance.goto(`${server.url}/billing`);
    await finance.getByLabel("支払期限").fill("2026-09-30");
    const [download] = await Promise.all([
      finance.waitForEvent("download"),
      finance.getByRole("button", { name: "依頼ファイルをダウンロード" }).click(),
    ]);
    const bytes = readFileSync((await download.path())!);
    const lines = bytes.toString("latin1").split("\r\n");
    expect(lines.length).toBe(5); // header, one debit, trailer, end, and the empty rest after the last CR LF
    expect(lines[0].slice(0, 14) + lines[0].slice(54, 58)).toBe("191012345678900930");
    expect(lines[1].slice(42, 50)).toBe("17654321");
    expect(lines[1].slice(80, 90)).toBe("0000009900");
    expect(lines[2].slice(0, 19)).toBe("8000001000000009900");

    // The bank answers 資金不足 (code 1): the invoice stays unpaid and says why.
    const failed = [
      lines[0],
      lines[1].slice(0, 111) + "1" + lines[1].slice(112),
      lines[2].slice(0, 19) +
        "000000" +
        "000000000000" +
        "000001" +
        "000000009900" +
        lines[2].slice(55),
      lines[3],
    ]
      .map((l) => `${l}\r\n`)
      .join("");
    await finance.goto(`${server.url}/billing`);
    await finance.setInputFiles("input[name=file]", {
      name: "result.txt",
      mimeType: "text/plain",
      buffer: Buffer.from(failed, "latin1"),
    });
    await Promise.all([
      finance.waitForURL(/collections\/upload/),
      finance.getByRole("button", { name: "振替結果を取り込む" }).click(),
    ]);
    expect(await finance.getByRole("status").textContent()).toBe(
      "振替済 0件 0円、振替不能 1件 9,900円、取込済みのため変更なし 0件",
    );
    await finance.goto(`${server.url}/invoices/${invoice.id}`);
    expect(await finance.getByTestId("debit-failure").textContent()).toBe(
      "2026年9月30日 の口座振替ができませんでした（振替結果コード 1：資金不足）。未入金のままです。",
    );
    await finance.goto(`${server.url}/invoices?status=overdue`);
    expect(await finance.getByTestId("debit-failure").textContent()).toBe(
      "口座振替不能：資金不足（2026年9月30日）",
    );

    // A transfer whose payer matches no customer's kana waits; finance assigns it.
    await finance.goto(`${server.url}/bank-credits`);
    await finance.setInputFiles("input[type=file]", {
      name: "statement.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("取引日,入金額,振込依頼人名\n2026-11-20,9900,ﾀﾅｶ ｲﾁﾛｳ\n"),
    });
    await Promise.all([
      finance.waitForURL(/collections\/upload/),
      finance.getByRole("button", { name: "取り込む" }).click(),
    ]);
    expect(await finance.getByRole("status").textContent()).toBe(
      "入金 1件: 照合して入金を記録 0件 0円、照合待ち 1件、取込済みのため変更なし 0件",
    );
    await finance.goto(`${server.url}/bank-credits`);
    const pending = finance.getByTestId("pending-credits");
    expect(await pending.textContent()).toContain("ﾀﾅｶ ｲﾁﾛｳ");
    expect(await pending.textContent()).toContain(invoice.invoice_number);
    await pending.getByLabel("請求書").fill(invoice.invoice_number);
    await Promise.all([
      finance.waitForURL(/assigned=/),
      pending.getByRole("button", { name: "入金を記録" }).click(),
    ]);
    expect(await finance.getByRole("status").textContent()).toBe(
      `${invoice.invoice_number} に入金を記録しました。`,
    );
    expect(
      query<{ paid_on: string }>(
        `select paid_on from payments join invoices on invoices.contract_id = payments.contract_id
      and invoices.billing_month = payments.billing_month where invoices.id = ? order by payments.id desc`,
        invoice.id,
      ).paid_on,
    ).toBe("2026-11-20");
  }, 120_000);
});
