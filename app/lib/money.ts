// Rendering yen on screens (amounts stay integers everywhere else).

/** `1,234円` */
export function yen(amount: number): string {
  return `${amount.toLocaleString("ja-JP")}円`;
}

/** Parses what people type for an amount: digits with optional commas, full-width digits, a trailing 円. */
export function parseYenInput(value: string): number | null {
  const normalized = value.normalize("NFKC").replace(/[,\s円¥]/g, "");
  if (!/^\d{1,12}$/.test(normalized)) return null;
  return Number(normalized);
}
