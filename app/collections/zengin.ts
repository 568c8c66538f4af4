// The 全銀 character set and calendar (docs/rules/zengin.md): half-width kana as banks compare
// names, bank business days, the labels of account types and result codes. Pure and free of
// Node modules (the customer page's form uses it); the file itself is zengin-file.server.ts.
import { addDays, dayOfWeek, isNationalHoliday, type IsoDate } from "../lib/jst";

export type AccountType = 1 | 2;
export const ACCOUNT_TYPE_LABELS: Record<AccountType, string> = { 1: "普通", 2: "当座" };

/** 振替結果コード (docs/rules/zengin.md). */
export const RESULT_LABELS: Record<string, string> = {
  "0": "振替済",
  "1": "資金不足",
  "2": "預金取引なし",
  "3": "預金者の都合による振替停止",
  "4": "預金口座振替依頼書なし",
  "8": "委託者の都合による振替停止",
  "9": "その他",
};

// ---- kana -------------------------------------------------------------------------------------

const FULL =
  "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッヮヵヶヰヱー";
const HALF = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｱｲｳｴｵﾔﾕﾖﾂﾜｶｹｲｴｰ";
const TO_HALF = new Map([...FULL].map((c, i) => [c, HALF[i]]));
// Banks write small kana as the large ones (ｼﾔ for シャ): half-width small kana are made large too.
const SMALL_HALF = new Map([..."ｧｨｩｪｫｬｭｮｯ"].map((c, i) => [c, "ｱｲｳｴｵﾔﾕﾖﾂ"[i]]));
export const ZENGIN_RE = /^[\uFF66\uFF70-\uFF9F A-Z0-9()./-]*$/;

/**
 * The text in the 全銀 character set: full-width kana (katakana or hiragana), full-width letters and
 * digits become half-width, lower-case letters upper-case, small kana large. Null when something
 * else remains (kanji, symbols): such a name is refused when it is registered.
 */
export function toZenginKana(input: string): string | null {
  // NFKC makes half-width kana full-width and composes them, and full-width ASCII plain ASCII.
  const composed = input
    .normalize("NFKC")
    .replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
  let out = "";
  for (const c of composed.normalize("NFD")) {
    if (c === "\u3099") out += "ﾞ";
    else if (c === "\u309A") out += "ﾟ";
    else if (TO_HALF.has(c)) out += TO_HALF.get(c);
    else if (SMALL_HALF.has(c)) out += SMALL_HALF.get(c);
    else if (c === "\u3000") out += " ";
    else if (c === "\u2010" || c === "\u2212" || c === "\u2015") out += "-";
    else out += c.toUpperCase();
  }
  out = out.replace(/ +/g, " ").trim();
  return ZENGIN_RE.test(out) ? out : null;
}

/** Why a name is not in the 全銀 character set, in Japanese, or null when it is fine. */
export function zenginKanaProblem(label: string, input: string, max: number): string | null {
  const kana = toZenginKana(input);
  if (kana === null)
    return `${label}は半角カナ・英大文字・数字・スペースと ( ) - . / で入力してください（漢字や記号は使えません）`;
  if (kana.length === 0) return `${label}を入力してください`;
  if (kana.length > max)
    return `${label}は半角で${max}文字以内で入力してください（濁点も1文字です）`;
  return null;
}

// Legal-form marks as banks abbreviate them (ｶ) (ｶ ﾕ) …) and spelled out, for comparing payers.
const LEGAL_FORMS = ["ｶﾌﾞｼｷｶﾞｲｼﾔ", "ﾕｳｹﾞﾝｶﾞｲｼﾔ", "ｺﾞｳﾄﾞｳｶﾞｲｼﾔ", "ｺﾞｳﾒｲｶﾞｲｼﾔ", "ｺﾞｳｼｶﾞｲｼﾔ"];
const MARKS = "(?:ｶ|ﾕ|ﾄﾞ|ﾒ|ｼ|ｲ|ｻﾞｲ|ｼﾔ|ﾄｸﾋ|ｶﾞｸ)";
// (ｶ) anywhere, ｶ) before the name, (ｶ after it.
const LEGAL_MARK_RES = [
  new RegExp(`\\(${MARKS}\\)`, "g"),
  new RegExp(`^${MARKS}\\)`),
  new RegExp(`\\(${MARKS}$`),
];

/** A payer's or customer's name as compared: half-width kana, no spaces, no legal-form marks. */
export function payerKey(name: string): string {
  const kana = toZenginKana(name) ?? name.normalize("NFKC");
  let key = kana.replace(/[ .]/g, "");
  for (const form of LEGAL_FORMS) key = key.split(form).join("");
  for (const re of LEGAL_MARK_RES) key = key.replace(re, "");
  return key.replace(/[()]/g, "");
}

// ---- dates --------------------------------------------------------------------------------------

/** Banks are closed on Saturdays, Sundays, national holidays and 12/31–1/3. */
export function isBankBusinessDay(date: IsoDate): boolean {
  const dow = dayOfWeek(date);
  const md = date.slice(5);
  return (
    dow !== 0 &&
    dow !== 6 &&
    !isNationalHoliday(date) &&
    md !== "12-31" &&
    !(md >= "01-01" && md <= "01-03")
  );
}

/** 引落日: the due date, or the next bank business day when the bank is closed on it. */
export function debitDateFor(dueDate: IsoDate): IsoDate {
  let date = dueDate;
  while (!isBankBusinessDay(date)) date = addDays(date, 1);
  return date;
}
