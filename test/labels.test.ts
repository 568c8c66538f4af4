// Issue 17 item 5: every code a person reads has a Japanese label. The audit log's actions and
// targets are read from the code that writes them, so a new action without a label fails here.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS } from "../app/audit/audit-labels";
import { EVENT_ACTION_LABELS, EVENT_TYPE_LABELS } from "../app/security/event-labels";
import { TAX_CATEGORY_LABELS } from "../app/billing/labels";

const app = fileURLToPath(new URL("../app", import.meta.url));
const source = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return source(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".test.ts") ? [readFileSync(path, "utf8")] : [];
  });
const text = source(app).join("\n");
const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;

describe("Japanese labels for codes", () => {
  it("has a Japanese label for every audit action and target the code writes", () => {
    const actions = new Set(
      [...text.matchAll(/action: "([a-z_]+\.[a-z_]+|login|logout)"/g)].map((m) => m[1]),
    );
    // Written from a variable: incident.${to}, refund.${decision.type}.
    for (const a of [
      "incident.acknowledge",
      "incident.resolve",
      "refund.approve",
      "refund.pay",
      "refund.refuse",
    ])
      actions.add(a);
    expect(actions.size).toBeGreaterThan(60);
    expect([...actions].filter((a) => !japanese.test(AUDIT_ACTION_LABELS[a] ?? ""))).toEqual([]);
    const entities = new Set([...text.matchAll(/entity: "([a-z_]+)"/g)].map((m) => m[1]));
    expect([...entities].filter((e) => !japanese.test(AUDIT_ENTITY_LABELS[e] ?? ""))).toEqual([]);
    expect(AUDIT_ACTION_LABELS["notice.publish"]).toBe("利用中止のお知らせの掲載");
    expect(AUDIT_ENTITY_LABELS.session).toBe("セッション");
  });

  it("labels detection types, results and tax categories", () => {
    expect(EVENT_TYPE_LABELS.virus).toBe("ウイルス");
    expect(EVENT_ACTION_LABELS.failed).toBe("処理失敗");
    expect(Object.values(EVENT_TYPE_LABELS).every((l) => japanese.test(l))).toBe(true);
    expect(TAX_CATEGORY_LABELS).toEqual({
      taxable_10: "課税（10%）",
      non_taxable: "非課税・不課税",
    });
  });
});
