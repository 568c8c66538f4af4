// CSV as spreadsheets read it: RFC 4180 quoting, CRLF line ends, optional UTF-8 BOM so that
// Excel opens Japanese text correctly.

export type CsvValue = string | number | null | undefined;

function cell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `header` null writes no header row (accounting imports that expect none). */
export function toCsv(header: readonly string[] | null, rows: readonly (readonly CsvValue[])[], options: { bom?: boolean } = {}): string {
  const all = header ? [header, ...rows] : rows;
  const body = all.map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
  return options.bom ? `\uFEFF${body}` : body;
}
