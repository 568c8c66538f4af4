import { describe, expect, it } from "vitest";
import { formValuesOfVisit, visitContentFromForm } from "./visit-form";

function form(values: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.set(k, v);
  return f;
}

describe("visit form", () => {
  it("turns the fields into the pricing rules' lines, the basic fee first", () => {
    expect(
      visitContentFromForm(
        form({
          "visit.diagnosis": "on",
          "visit.os_recovery": "１",
          "visit.app": "2",
          endpointReinstall: "1",
          migrationPcs: "2",
          migrationGb: "30",
          backupAvailable: "on",
        }),
      ),
    ).toEqual({
      ok: true,
      value: {
        withLineApplication: false,
        backupAvailable: true,
        lines: [
          { code: "visit.base", quantity: 1 },
          { code: "visit.diagnosis", quantity: 1 },
          { code: "visit.os_recovery", quantity: 1 },
          { code: "visit.app", quantity: 2, endpointReinstall: 1 },
          { code: "visit.data_migration", pcs: [{ gb: 30 }, { gb: 30 }] },
        ],
      },
    });
  });

  it("names the wrong field in Japanese", () => {
    expect(visitContentFromForm(form({ "visit.printer": "1.5" }))).toEqual({
      ok: false,
      kind: "validation",
      fields: { "visit.printer": "プリンター設定は0〜100の整数で入力してください" },
    });
    expect(visitContentFromForm(form({ "visit.app": "1", endpointReinstall: "2" }))).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        endpointReinstall:
          "再インストールの台数は、アプリケーション設定の件数以下の整数で入力してください",
      },
    });
    expect(visitContentFromForm(form({ endpointReinstall: "1" }))).toMatchObject({
      ok: false,
      fields: { endpointReinstall: expect.any(String) },
    });
    expect(visitContentFromForm(form({ migrationPcs: "101" }))).toMatchObject({
      ok: false,
      fields: { migrationPcs: expect.any(String) },
    });
    expect(visitContentFromForm(form({ migrationPcs: "1", migrationGb: "-3" }))).toEqual({
      ok: false,
      kind: "validation",
      fields: { migrationGb: "容量は0以上の数（GB）で入力してください" },
    });
  });

  it("takes one volume per PC when they differ (S6 prices each PC by its volume)", () => {
    expect(
      visitContentFromForm(form({ migrationPcs: "3", migrationGb: "30、30 １２００" })),
    ).toMatchObject({
      ok: true,
      value: {
        lines: [
          { code: "visit.base" },
          { code: "visit.data_migration", pcs: [{ gb: 30 }, { gb: 30 }, { gb: 1200 }] },
        ],
      },
    });
    expect(visitContentFromForm(form({ migrationPcs: "3", migrationGb: "30, 1200" }))).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        migrationGb:
          "容量を1台ずつ入力するときは、データ移行の台数（3台）と同じ数だけ入力してください（2個あります）",
      },
    });
    expect(visitContentFromForm(form({ migrationPcs: "2", migrationGb: "30, abc" }))).toMatchObject(
      { ok: false, fields: { migrationGb: "容量は0以上の数（GB）で入力してください" } },
    );
  });

  it("shows booked lines again as form values, each PC's volume when they differ", () => {
    const booked = {
      withLineApplication: true,
      backupAvailable: false,
      lines: [
        { code: "visit.base", quantity: 1 },
        { code: "visit.diagnosis", quantity: 1 },
        { code: "visit.app", quantity: 3, endpointReinstall: 2 },
        { code: "visit.data_migration", pcs: [{ gb: 20 }, { gb: 80 }] },
      ],
    };
    const values = formValuesOfVisit(booked);
    expect(values).toEqual({
      withLineApplication: "on",
      "visit.diagnosis": "on",
      "visit.app": "3",
      endpointReinstall: "2",
      migrationPcs: "2",
      migrationGb: "20, 80",
    });
    expect(visitContentFromForm(form(values))).toEqual({ ok: true, value: booked });
    expect(
      formValuesOfVisit({
        ...booked,
        lines: [{ code: "visit.data_migration", pcs: [{ gb: 30 }, { gb: 30 }] }],
      }).migrationGb,
    ).toBe("30");
  });
});
