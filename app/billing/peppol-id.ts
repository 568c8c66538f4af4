// Peppol participant ids of the provider and customers (decision 0018). Imports only the result
// type: the settings and customer pages use it in their actions.
import { invalidField, ok, type Result } from "../lib/result";

/**
 * A Peppol participant id: `0188:` + 法人番号 (13 digits) or `0221:` + 適格請求書発行事業者登録番号
 * (`T` + 13 digits), the two Japanese schemes of the Peppol EAS code list.
 */
export const PEPPOL_ID_RE = /^(0188:\d{13}|0221:T\d{13})$/;

/** The normalised id (null for none), or a validation failure of the `peppolId` field. */
export type PeppolIdCheck = Result<string | null, "peppolId">;

/** An entered participant id, normalised (full-width digits, lower-case t); empty = none. */
export function checkPeppolId(input: string): PeppolIdCheck {
  const value = input
    .normalize("NFKC")
    .replace(/\s/g, "")
    .replace(/^(0221:)t/, "$1T");
  if (value === "") return ok(null);
  if (!PEPPOL_ID_RE.test(value)) {
    return invalidField(
      "peppolId",
      "Peppol IDは「0188:法人番号13桁」または「0221:T＋登録番号13桁」の形式で入力してください",
    );
  }
  return ok(value);
}
