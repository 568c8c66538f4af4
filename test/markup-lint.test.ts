// Markup rules of issue 16 item 6 and issue 17 items 12-13, checked over the source so that they
// cannot come back unnoticed: routes carry no inline style objects (styles live in
// app/styles.css; a value computed from data goes through a component such as
// app/components/charts/Meter.tsx), every data table sits in <TableScroll> (it scrolls inside its
// own box on a phone), and every table header cell says what it heads (scope="col" or "row").
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Route files that may keep an inline style, with the reason. None today. */
const INLINE_STYLE_EXCEPTIONS: Record<string, string> = {};

function tsxFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? tsxFiles(join(dir, entry.name))
      : entry.name.endsWith(".tsx")
        ? [join(dir, entry.name)]
        : [],
  );
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

export function inlineStyles(text: string, file: string): string[] {
  return [...text.matchAll(/style=\{\{/g)].map((m) => `${file}:${lineOf(text, m.index)}`);
}

export function unwrappedTables(text: string, file: string): string[] {
  return [...text.matchAll(/<table\b/g)]
    .filter((m) => !/<TableScroll\b[^<]*>\s*$/.test(text.slice(0, m.index)))
    .map((m) => `${file}:${lineOf(text, m.index)}`);
}

export function headersWithoutScope(text: string, file: string): string[] {
  return [...text.matchAll(/<th\b([^>]*)>/g)]
    .filter((m) => !/\bscope=("(col|row|colgroup|rowgroup)"|\{)/.test(m[1]))
    .map((m) => `${file}:${lineOf(text, m.index)}`);
}

const routes = tsxFiles("app/routes");
const markup = [...routes, ...tsxFiles("app/components")];

describe("markup rules", () => {
  it("finds an inline style, a bare table and a header without scope in a sample", () => {
    const sample = [
      "<div style={{ marginTop: 8 }}>",
      '<table className="data">',
      '<thead><tr><th>名前</th><th scope="col">金額</th></tr></thead>',
      "</table></div>",
      '<TableScroll label="一覧">',
      '  <table className="data"><tbody><tr><th scope="row">合計</th></tr></tbody></table>',
      "</TableScroll>",
    ].join("\n");
    expect(inlineStyles(sample, "x.tsx")).toEqual(["x.tsx:1"]);
    expect(unwrappedTables(sample, "x.tsx")).toEqual(["x.tsx:2"]);
    expect(headersWithoutScope(sample, "x.tsx")).toEqual(["x.tsx:3"]);
  });

  it("reads the route and component files", () => {
    expect(routes.length).toBeGreaterThan(50);
    expect(routes).toContain(join("app/routes", "_console.invoices.$invoiceId.tsx"));
  });

  it("routes carry no inline style objects (issue 16 item 6)", () => {
    const found = routes
      .filter((file) => !(file in INLINE_STYLE_EXCEPTIONS))
      .flatMap((file) => inlineStyles(readFileSync(join(root, file), "utf8"), file));
    expect(found).toEqual([]);
  });

  it("every table sits in <TableScroll> (issue 17 item 12)", () => {
    const found = markup.flatMap((file) =>
      unwrappedTables(readFileSync(join(root, file), "utf8"), file),
    );
    expect(found).toEqual([]);
  });

  it('every table header has scope="col" or scope="row" (issue 17 item 13)', () => {
    const found = markup.flatMap((file) =>
      headersWithoutScope(readFileSync(join(root, file), "utf8"), file),
    );
    expect(found).toEqual([]);
  });
});
