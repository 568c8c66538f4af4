// The visit form (S2, S5, S6) shared by the booking page and the operator's record of what was
// done: form fields ⇄ the pricing rules' visit lines. Pure, so the browser bundle can use it.
import type { VisitLineInput } from "../billing/visit-pricing";
import { invalidField, ok, type Result } from "../lib/result";
import { VISIT_MENU } from "./visit-menu";

export interface VisitFormContent {
  withLineApplication: boolean;
  backupAvailable: boolean;
  lines: VisitLineInput[];
}

/** The work fields as content, or the first wrong field with its message. */
export type VisitFormResult = Result<VisitFormContent>;

function count(form: FormData, name: string): number {
  const n = Number(String(form.get(name) ?? "0").normalize("NFKC") || "0");
  return Number.isInteger(n) && n >= 0 && n <= 100 ? n : -1;
}

/**
 * The migrated volume of each PC (S6 prices per PC by its volume): one number for every PC, or
 * one per PC separated by commas or spaces (`30, 30, 1200`).
 */
function migrationVolumes(field: string, pcs: number): Result<number[], "migrationGb"> {
  const parts = field
    .normalize("NFKC")
    .split(/[,、\s]+/)
    .filter((p) => p !== "");
  const gb = parts.length === 0 ? [0] : parts.map(Number);
  if (gb.some((v) => !Number.isFinite(v) || v < 0))
    return invalidField("migrationGb", "容量は0以上の数（GB）で入力してください");
  if (gb.length === 1) return ok(Array.from({ length: pcs }, () => gb[0]));
  if (gb.length !== pcs)
    return invalidField(
      "migrationGb",
      `容量を1台ずつ入力するときは、データ移行の台数（${pcs}台）と同じ数だけ入力してください（${gb.length}個あります）`,
    );
  return ok(gb);
}

/** The work fields as visit lines (the basic fee always first), or the first wrong field with a Japanese message. */
export function visitContentFromForm(form: FormData): VisitFormResult {
  const lines: VisitLineInput[] = [{ code: "visit.base", quantity: 1 }];
  if (form.get("visit.diagnosis") === "on") lines.push({ code: "visit.diagnosis", quantity: 1 });
  for (const item of VISIT_MENU) {
    const n = count(form, item.code);
    if (n < 0) return invalidField(item.code, `${item.label}は0〜100の整数で入力してください`);
    if (n > 0) lines.push({ code: item.code, quantity: n });
  }
  // ▲ S5: only re-installing the agent on a PC recovered in the same visit is free; those are part of the app setups.
  const reinstall = count(form, "endpointReinstall");
  const apps = lines.find((l) => l.code === "visit.app");
  if (reinstall < 0 || reinstall > (apps?.quantity ?? 0)) {
    return invalidField(
      "endpointReinstall",
      "再インストールの台数は、アプリケーション設定の件数以下の整数で入力してください",
    );
  }
  if (apps) apps.endpointReinstall = reinstall;
  const pcs = count(form, "migrationPcs");
  if (pcs < 0)
    return invalidField("migrationPcs", "データ移行の台数は0〜100の整数で入力してください");
  const volumes = migrationVolumes(String(form.get("migrationGb") ?? ""), pcs);
  if (!volumes.ok) return volumes;
  if (pcs > 0)
    lines.push({ code: "visit.data_migration", pcs: volumes.value.map((gb) => ({ gb })) });
  return ok({
    withLineApplication: form.get("withLineApplication") === "on",
    backupAvailable: form.get("backupAvailable") === "on",
    lines,
  });
}

/** The form values that show these lines again (to prefill the operator's record with what was booked). */
export function formValuesOfVisit(content: VisitFormContent): Record<string, string> {
  const values: Record<string, string> = {};
  if (content.withLineApplication) values.withLineApplication = "on";
  if (content.backupAvailable) values.backupAvailable = "on";
  for (const line of content.lines) {
    if (line.code === "visit.diagnosis") values["visit.diagnosis"] = "on";
    else if (line.code === "visit.data_migration") {
      values.migrationPcs = String(line.pcs?.length ?? 0);
      const volumes = (line.pcs ?? []).map((p) => p.gb);
      values.migrationGb = volumes.every((gb) => gb === volumes[0])
        ? String(volumes[0] ?? 0)
        : volumes.join(", ");
    } else if (line.code !== "visit.base") {
      values[line.code] = String(line.quantity ?? 1);
      if (line.code === "visit.app") values.endpointReinstall = String(line.endpointReinstall ?? 0);
    }
  }
  return values;
}

/** What a visit form's page shows of a failed answer: one sentence, and the work field it is about. */
export function visitFormErrors(errors: Record<string, string | undefined> | undefined): {
  error: string | null;
  fieldError: { field: string; message: string } | null;
} {
  const entries = Object.entries(errors ?? {}).filter(
    (e): e is [string, string] => typeof e[1] === "string",
  );
  if (entries.length === 0) return { error: null, fieldError: null };
  const work = entries.find(([field]) => !SLOT_FIELDS.has(field));
  return {
    error: entries[0][1],
    fieldError: work ? { field: work[0], message: work[1] } : null,
  };
}

/** Fields of the form that are not work fields (their message shows above the form only). */
const SLOT_FIELDS = new Set(["_form", "date", "start", "lines", "intent"]);
