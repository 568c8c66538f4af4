// Peppol participant ids of the provider and customers (decision 0018). No imports: the settings
// and customer pages use it in their actions.

/**
 * A Peppol participant id: `0188:` + 法人番号 (13 digits) or `0221:` + 適格請求書発行事業者登録番号
 * (`T` + 13 digits), the two Japanese schemes of the Peppol EAS code list.
 */
export const PEPPOL_ID_RE = /^(0188:\d{13}|0221:T\d{13})$/;

export type PeppolIdCheck = { ok: true; value: string | null } | { ok: false; message: string };

/** An entered participant id, normalised (full-width digits, lower-case t); empty = none. */
export function checkPeppolId(input: string): PeppolIdCheck {
  const value = input
    .normalize("NFKC")
    .replace(/\s/g, "")
    .replace(/^(0221:)t/, "$1T");
  if (value === "") return { ok: true, value: null };
  if (!PEPPOL_ID_RE.test(value)) {
    return {
      ok: false,
      message:
        "Peppol IDは「0188:法人番号13桁」または「0221:T＋登録番号13桁」の形式で入力してください",
    };
  }
  return { ok: true, value };
}
