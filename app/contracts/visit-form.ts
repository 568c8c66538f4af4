// The visit form (S2, S5, S6) shared by the booking page and the operator's record of what was
// done: form fields ⇄ the pricing rules' visit lines. Pure, so the browser bundle can use it.
import type { VisitLineInput } from "../billing/visit-pricing";
import { VISIT_MENU } from "./visit-menu";

export interface VisitFormContent {
  withLineApplication: boolean;
  backupAvailable: boolean;
  lines: VisitLineInput[];
}

export type VisitFormResult = { ok: true; content: VisitFormContent } | { ok: false; field: string; message: string };

function count(form: FormData, name: string): number {
  const n = Number(String(form.get(name) ?? "0").normalize("NFKC") || "0");
  return Number.isInteger(n) && n >= 0 && n <= 100 ? n : -1;
}

/** The work fields as visit lines (the basic fee always first), or the first wrong field with a Japanese message. */
export function visitContentFromForm(form: FormData): VisitFormResult {
  const lines: VisitLineInput[] = [{ code: "visit.base", quantity: 1 }];
  if (form.get("visit.diagnosis") === "on") lines.push({ code: "visit.diagnosis", quantity: 1 });
  for (const item of VISIT_MENU) {
    const n = count(form, item.code);
    if (n < 0) return { ok: false, field: item.code, message: `${item.label}は0〜100の整数で入力してください` };
    if (n > 0) lines.push({ code: item.code, quantity: n });
  }
  // ▲ S5: only re-installing the agent on a PC recovered in the same visit is free; those are part of the app setups.
  const reinstall = count(form, "endpointReinstall");
  const apps = lines.find((l) => l.code === "visit.app");
  if (reinstall < 0 || reinstall > (apps?.quantity ?? 0)) {
    return { ok: false, field: "endpointReinstall", message: "再インストールの台数は、アプリケーション設定の件数以下の整数で入力してください" };
  }
  if (apps) apps.endpointReinstall = reinstall;
  const pcs = count(form, "migrationPcs");
  if (pcs < 0) return { ok: false, field: "migrationPcs", message: "データ移行の台数は0〜100の整数で入力してください" };
  const gb = Number(String(form.get("migrationGb") ?? "0").normalize("NFKC") || "0");
  if (!(gb >= 0) || !Number.isFinite(gb)) return { ok: false, field: "migrationGb", message: "容量は0以上の数（GB）で入力してください" };
  if (pcs > 0) lines.push({ code: "visit.data_migration", pcs: Array.from({ length: pcs }, () => ({ gb })) });
  return { ok: true, content: { withLineApplication: form.get("withLineApplication") === "on", backupAvailable: form.get("backupAvailable") === "on", lines } };
}

/**
 * The form values that show these lines again (to prefill the operator's record with what was
 * booked). The form asks one volume for all PCs of a data migration: the largest booked one is
 * shown, which never prices the migration below what was booked (S6 tiers are per PC).
 */
export function formValuesOfVisit(content: VisitFormContent): Record<string, string> {
  const values: Record<string, string> = {};
  if (content.withLineApplication) values.withLineApplication = "on";
  if (content.backupAvailable) values.backupAvailable = "on";
  for (const line of content.lines) {
    if (line.code === "visit.diagnosis") values["visit.diagnosis"] = "on";
    else if (line.code === "visit.data_migration") {
      values.migrationPcs = String(line.pcs?.length ?? 0);
      values.migrationGb = String(Math.max(0, ...(line.pcs ?? []).map((p) => p.gb)));
    } else if (line.code !== "visit.base") {
      values[line.code] = String(line.quantity ?? 1);
      if (line.code === "visit.app") values.endpointReinstall = String(line.endpointReinstall ?? 0);
    }
  }
  return values;
}
