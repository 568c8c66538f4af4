// CSV as spreadsheets read it: RFC 4180 quoting, CRLF line ends, optional UTF-8 BOM so that
// Excel opens Japanese text correctly.

/** Amounts and counts are passed as numbers: only strings are treated as text a spreadsheet could run. */
export type CsvValue = string | number | null | undefined;

/**
 * Text a spreadsheet would read as a formula (OWASP "CSV injection": `=HYPERLINK(…)` in a customer
 * name) gets a leading `'`, which Excel and LibreOffice show as text (issue 15 item 4).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  const text =
    typeof value === "number" ? String(value) : FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `header` null writes no header row (accounting imports that expect none). */
export function toCsv(
  header: readonly string[] | null,
  rows: readonly (readonly CsvValue[])[],
  options: { bom?: boolean } = {},
): string {
  const all = header ? [header, ...rows] : rows;
  const body = all.map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
  return options.bom ? `\uFEFF${body}` : body;
}
