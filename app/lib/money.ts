// Integer yen as a type, and reading yen that people type (rendering is formatYen in
// app/lib/format.ts; sums and rates are in app/lib/yen.ts).

// Amounts are branded so the compiler tells an amount from any other number (a count, a day, a
// rate; issue 16 item 3, decision 0047): a plain number becomes Yen only through toYen, which
// refuses a fraction — every rule drops fractions below one yen (T-28) before an amount exists.
// Negative amounts are yen too (credit lines, outage credits). The constructor is not called
// `yen` because that was once the name of a formatter and is the name of local helpers that build
// text.

/** A whole number of yen, negative for a credit. */
export type Yen = number & { readonly __brand: "Yen" };

/** Whether a value is a whole, safe number of yen. */
export function isYen(value: unknown): value is Yen {
  return typeof value === "number" && Number.isSafeInteger(value);
}

/** An amount the code knows is whole yen (a literal, a computed sum); throws on anything else. */
export function toYen(value: number): Yen {
  if (!isYen(value)) throw new Error(`invalid yen amount ${value}`);
  return value;
}

/** Parses what people type for an amount: digits with optional commas, full-width digits, a trailing 円. */
export function parseYenInput(value: string): Yen | null {
  const normalized = value.normalize("NFKC").replace(/[,\s円¥]/g, "");
  if (!/^\d{1,12}$/.test(normalized)) return null;
  return toYen(Number(normalized));
}
