import { describe, expect, it } from "vitest";
import {
  debitDateFor,
  isBankBusinessDay,
  payerKey,
  toZenginKana,
  zenginKanaProblem,
} from "./zengin";
import { parseResultFile } from "./zengin-file.server";
import { isoDate } from "../lib/jst";

describe("全銀 kana", () => {
  it("normalises full-width kana, hiragana, letters and small kana to the half-width set", () => {
    expect(toZenginKana("ヤマダ　タロウ")).toBe("ﾔﾏﾀﾞ ﾀﾛｳ");
    expect(toZenginKana("やまだ　はなこ")).toBe("ﾔﾏﾀﾞ ﾊﾅｺ");
    expect(toZenginKana("（カ）ガッコウ　ｐｃ－１")).toBe("(ｶ)ｶﾞﾂｺｳ PC-1");
    expect(toZenginKana("ヴィ")).toBe("ｳﾞｲ");
  });
  it("refuses kanji and other symbols with a Japanese message", () => {
    expect(toZenginKana("山田")).toBeNull();
    expect(zenginKanaProblem("口座名義（カナ）", "山田タロウ", 30)).toBe(
      "口座名義（カナ）は半角カナ・英大文字・数字・スペースと ( ) - . / で入力してください（漢字や記号は使えません）",
    );
    expect(zenginKanaProblem("口座名義（カナ）", "ア".repeat(31), 30)).toBe(
      "口座名義（カナ）は半角で30文字以内で入力してください（濁点も1文字です）",
    );
    expect(zenginKanaProblem("口座名義（カナ）", "ガ".repeat(15), 30)).toBeNull();
  });
  it("compares payers without spaces and legal-form marks", () => {
    const key = payerKey("テストショウジ");
    expect(key).toBe("ﾃｽﾄｼﾖｳｼﾞ");
    for (const name of [
      "ｶ)ﾃｽﾄｼｮｳｼﾞ",
      "ﾃｽﾄｼﾖｳｼﾞ(ｶ",
      "(ｶ)ﾃｽﾄ ｼﾖｳｼﾞ",
      "カブシキガイシャ　テストショウジ",
    ])
      expect(payerKey(name)).toBe(key);
    expect(payerKey("ﾃｽﾄｼﾖｳｼﾞ(ﾕ")).toBe(key);
    expect(payerKey("ﾃｽﾄｼﾖｳｶｲ")).not.toBe(key);
  });
});

describe("引落日", () => {
  it("moves a due date to the next bank business day", () => {
    expect(debitDateFor(isoDate("2026-11-24"))).toBe("2026-11-24"); // Tuesday
    expect(debitDateFor(isoDate("2026-11-23"))).toBe("2026-11-24"); // 勤労感謝の日 (Monday)
    expect(debitDateFor(isoDate("2026-11-21"))).toBe("2026-11-24"); // Saturday, Sunday, holiday
    expect(debitDateFor(isoDate("2026-12-31"))).toBe("2027-01-04"); // 12/31–1/3, then a weekend
    expect(debitDateFor(isoDate("2026-12-30"))).toBe("2026-12-30");
    expect(isBankBusinessDay(isoDate("2027-01-03"))).toBe(false);
  });
});

describe("result file", () => {
  it("refuses a record of the wrong length with its number", () => {
    const header =
      "19101234567890" + " ".repeat(40) + "1124" + "0".repeat(62 - 58) + " ".repeat(120 - 62);
    const parsed = parseResultFile(Buffer.from(`${header}\r\n2\r\n`, "latin1"));
    expect(parsed).toEqual({
      ok: false,
      kind: "validation",
      fields: { file: "record 2 (レコード長): 120バイトではありません（1バイト）" },
    });
  });
});
