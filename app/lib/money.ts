// Reading yen that people type (rendering is formatYen in app/lib/format.ts).

/** Parses what people type for an amount: digits with optional commas, full-width digits, a trailing 円. */
export function parseYenInput(value: string): number | null {
  const normalized = value.normalize("NFKC").replace(/[,\s円¥]/g, "");
  if (!/^\d{1,12}$/.test(normalized)) return null;
  return Number(normalized);
}
