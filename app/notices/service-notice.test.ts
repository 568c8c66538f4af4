import { describe, expect, it } from "vitest";
import { concerns, draftServiceNotice, noticeState, ServiceNoticeForm } from "./service-notice";

const NOW = new Date("2026-11-22T10:00:00+09:00");
const form = (patch: Record<string, string> = {}) =>
  ServiceNoticeForm.parse({
    reason: "maintenance",
    area: "west",
    title: "定期保守",
    body: "設定変更ができません。",
    startDate: "2026-12-02",
    startTime: "01:00",
    endDate: "2026-12-02",
    endTime: "05:00",
    ...patch,
  });

describe("T-16 interruption notices", () => {
  it("are announced before they start; the times are JST", () => {
    const draft = draftServiceNotice(form(), NOW);
    expect(draft).toMatchObject({
      ok: true,
      value: { area: "west", emergency: false, endsAt: new Date("2026-12-01T20:00:00Z") },
    });
    expect(draft.ok && draft.value.startsAt.toISOString()).toBe("2026-12-01T16:00:00.000Z");
  });

  it("refuses one already started unless it is an emergency (T-16-2 ただし書)", () => {
    expect(
      draftServiceNotice(
        form({ startDate: "2026-11-22", startTime: "09:30", endDate: "", endTime: "" }),
        NOW,
      ),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        startDate:
          "利用中止は事前に周知します。開始日時を現在より後にするか、緊急の場合は「緊急」を選んでください（第16条第2項）",
      },
    });
    expect(
      draftServiceNotice(
        form({
          startDate: "2026-11-22",
          startTime: "09:30",
          endDate: "",
          endTime: "",
          emergency: "on",
        }),
        NOW,
      ),
    ).toMatchObject({ ok: true, value: { emergency: true, endsAt: null } });
  });

  it("refuses an end before the start, an end half given, and one already over", () => {
    expect(draftServiceNotice(form({ endTime: "00:30" }), NOW)).toEqual({
      ok: false,
      kind: "validation",
      fields: { endDate: "終了日時は開始日時より後にしてください" },
    });
    expect(draftServiceNotice(form({ endTime: "" }), NOW)).toEqual({
      ok: false,
      kind: "validation",
      fields: { endDate: "終了日時は日付と時刻の両方を入力してください（未定なら両方とも空欄）" },
    });
    expect(
      draftServiceNotice(
        form({ startDate: "2026-11-21", endDate: "2026-11-21", emergency: "on" }),
        NOW,
      ),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: { endDate: "終了日時を過ぎた中止は周知できません" },
    });
  });

  it("refuses missing fields in Japanese", () => {
    const parsed = ServiceNoticeForm.safeParse({
      reason: "weather",
      area: "north",
      title: "",
      body: " ",
      startDate: "2026-13-01",
      startTime: "25:00",
    });
    expect(parsed.error?.issues.map((i) => `${String(i.path[0])}: ${i.message}`)).toEqual([
      "reason: 中止の理由を選んでください",
      "area: 対象エリアを選んでください",
      "title: 件名を入力してください",
      "body: 内容を入力してください",
      "startDate: 開始日を正しい日付で入力してください",
      "startTime: 開始時刻を HH:MM で入力してください",
    ]);
  });

  it("has a state at any moment, and concerns the areas of the viewer's lines", () => {
    const n = {
      startsAt: "2026-12-01T16:00:00.000Z",
      endsAt: "2026-12-01T20:00:00.000Z",
      withdrawnAt: null,
    };
    expect(noticeState(n, NOW)).toBe("upcoming");
    expect(noticeState(n, new Date("2026-12-02T03:00:00+09:00"))).toBe("current");
    expect(noticeState(n, new Date("2026-12-02T05:00:00+09:00"))).toBe("ended");
    expect(noticeState({ ...n, endsAt: null }, new Date("2027-01-01T00:00:00+09:00"))).toBe(
      "current",
    );
    expect(noticeState({ ...n, withdrawnAt: "2026-11-23T00:00:00.000Z" }, NOW)).toBe("withdrawn");
    expect([
      concerns("west", ["west"]),
      concerns("west", ["east"]),
      concerns("all", []),
      concerns("east", null),
    ]).toEqual([true, false, true, true]);
  });
});
