// The lint rule of issue 16 item 2 (this repository has no ESLint yet): dates, months,
// instants, yen and counts are turned into text only by app/lib/format.ts. This test reads
// every source file of app/, reports/ and scripts/ and fails with file:line for a
// hand-written form, so a second formatter cannot come back unnoticed.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const ALLOWED = new Set(["app/lib/format.ts"]);

export const FORBIDDEN: { pattern: RegExp; why: string }[] = [
  {
    pattern: /\.toLocale(Date|Time)?String\(/,
    why: "toLocaleString: use formatYen/formatCount/formatInstant",
  },
  { pattern: /Intl\.(NumberFormat|DateTimeFormat)/, why: "Intl formatter: use app/lib/format.ts" },
  {
    pattern: /\.replace\("-", "年"\)/,
    why: 'hand-written month .replace("-", "年"): use formatMonth/formatBillingMonth',
  },
  { pattern: /年\$\{/, why: "hand-built date or month (年${…}): use formatDate/formatMonth" },
  { pattern: /¥\$\{|\}円/, why: "hand-built yen: use formatYen" },
  {
    pattern: /format(Date|Month)\([^)]*\.slice\(0, 10\)/,
    why: "an instant cut to its UTC date: use formatInstantDate",
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

export function findHandWrittenFormats(text: string, file: string): string[] {
  return text
    .split("\n")
    .flatMap((line, i) =>
      FORBIDDEN.filter((rule) => rule.pattern.test(line)).map(
        (rule) => `${file}:${i + 1}: ${rule.why}`,
      ),
    );
}

describe("format lint", () => {
  it("catches each hand-written form (the rule can fail)", () => {
    const sample = [
      'const a = n.toLocaleString("ja-JP");',
      'const b = month.replace("-", "年") + "月";',
      "const c = `${y}年${m}月`;",
      "const d = `¥${n}`;",
      "const e = formatDate(c.requested_at.slice(0, 10));",
      "const f = `${amount}円`;",
      "const ok = formatYen(n);",
    ].join("\n");
    expect(findHandWrittenFormats(sample, "x.ts").map((s) => s.split(":")[1])).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
    ]);
  });

  it("finds no hand-written date, month, instant or yen outside app/lib/format.ts", () => {
    const problems = ["app", "reports", "scripts"]
      .flatMap((dir) => sourceFiles(join(root, dir)))
      .map((path) => relative(root, path))
      .filter((file) => !ALLOWED.has(file))
      .flatMap((file) => findHandWrittenFormats(readFileSync(join(root, file), "utf8"), file));
    expect(problems).toEqual([]);
  });
});
