// Closing a month from the browser runs in the server process in the background, so a long run
// shows its progress (the page refreshes itself, with or without JavaScript) instead of holding
// the request open. One run per month at a time; the same engine as `billing run`.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import type { YearMonth } from "../lib/jst";
import { runBillingMonth } from "./billing-run.server";

export interface CloseProgress {
  state: "running" | "done" | "failed";
  done: number;
  total: number;
  issued: number;
  message: string | null;
}

const KEY = Symbol.for("secure-line-console.month-close-jobs");
type Holder = { [KEY]?: Map<YearMonth, CloseProgress> };

function jobs(): Map<YearMonth, CloseProgress> {
  const holder = globalThis as Holder;
  holder[KEY] ??= new Map();
  return holder[KEY];
}

export function closeProgress(month: YearMonth): CloseProgress | null {
  return jobs().get(month) ?? null;
}

/** Starts closing `month` unless a run is already going; returns at once. */
export function startMonthClose(db: Kysely<Database>, month: YearMonth, params: { at: Date; actor: AuditActor; ip: string }): CloseProgress {
  const running = jobs().get(month);
  if (running?.state === "running") return running;
  const progress: CloseProgress = { state: "running", done: 0, total: 0, issued: 0, message: null };
  jobs().set(month, progress);
  const started = Date.now();
  void (async () => {
    try {
      const result = await runBillingMonth(db, month, {
        at: params.at,
        onProgress: ({ done, total }) => Object.assign(progress, { done, total }),
      });
      if (result.problems.length > 0) {
        Object.assign(progress, {
          state: "failed",
          message: result.issued > 0
            // Data written while the month was being closed (billing-run.server.ts): a re-run continues.
            ? `締めの途中で記録された契約データに問題があるため、${result.issued}件を発行したところで停止しました（${result.problems.length}件）。修正してから再度締めてください`
            : `契約データに問題があるため発行できません（${result.problems.length}件）`,
        });
        return;
      }
      Object.assign(progress, { state: "done", issued: result.issued, done: result.issued, total: result.issued });
      await recordAudit(db, {
        actor: params.actor, action: "billing.close", entity: "billing_month", entityId: month,
        summary: result.alreadyClosed ? `${month} は締め済み（発行なし）` : `${month} を締め、請求書 ${result.issued} 件を発行（${Date.now() - started} ms）`,
        ip: params.ip,
      });
    } catch (error) {
      Object.assign(progress, { state: "failed", message: error instanceof Error ? error.message : String(error) });
    }
  })();
  return progress;
}
