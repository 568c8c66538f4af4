import { describe, expect, it } from "vitest";
import { normalizeServiceRef, validateMainService } from "./main-services";

const input = {
  serviceRef: "NET-0001",
  kind: "internet",
  name: "光ホーム 1G",
  status: "ended",
  lastDay: "2026-10-31",
};

describe("L-4 recording a main ISP service: the checks the form and the command share", () => {
  it("accepts an ended service with its last day, folding the number as people type it", () => {
    expect(validateMainService({ ...input, serviceRef: " ｎｅｔ－0001 " })).toEqual({
      ok: true,
      value: {
        serviceRef: "NET-0001",
        kind: "internet",
        name: "光ホーム 1G",
        status: "ended",
        lastDay: "2026-10-31",
      },
    });
    expect(normalizeServiceRef("ab 12-3")).toBe("AB12-3");
  });

  it("an active service has no last day; ended and suspended need one", () => {
    expect(validateMainService({ ...input, status: "active", lastDay: "" })).toMatchObject({
      ok: true,
      value: { status: "active", lastDay: null },
    });
    expect(validateMainService({ ...input, status: "active" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { lastDay: "ご利用中のサービスには最終利用日を入力しないでください" },
    });
    for (const status of ["ended", "suspended"]) {
      expect(validateMainService({ ...input, status, lastDay: undefined })).toEqual({
        ok: false,
        kind: "validation",
        fields: { lastDay: "休止・解約の場合は最終利用日を入力してください" },
      });
    }
    expect(validateMainService({ ...input, lastDay: "2026-02-30" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { lastDay: "最終利用日は 2026-11-30 の形式の日付で入力してください" },
    });
  });

  it("the kind is required for a new service only", () => {
    const noKind = { ...input, kind: undefined };
    expect(validateMainService(noKind)).toEqual({
      ok: false,
      kind: "validation",
      fields: { kind: "新しいサービスの種類を選んでください" },
    });
    expect(validateMainService(noKind, (ref) => ref === "NET-0001")).toMatchObject({
      ok: true,
      value: { kind: null },
    });
    expect(validateMainService({ ...input, kind: "fax" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { kind: "種類はインターネット・テレビ・電話・その他から選んでください" },
    });
  });

  it("reports every bad field at once (the kind only once the number is readable)", () => {
    expect(
      validateMainService({
        serviceRef: "回線#1",
        kind: "",
        name: "x".repeat(61),
        status: "closed",
        lastDay: "",
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        serviceRef: "サービス番号は英数字とハイフンで40文字以内で入力してください",
        name: "サービス名は60文字以内で入力してください",
        status: "状態（ご利用中・休止・解約）を選んでください",
      },
    });
    expect(
      validateMainService({
        serviceRef: "",
        kind: undefined,
        name: undefined,
        status: undefined,
        lastDay: undefined,
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        serviceRef: "サービス番号（回線番号など）を入力してください",
        status: "状態（ご利用中・休止・解約）を選んでください",
      },
    });
  });
});
