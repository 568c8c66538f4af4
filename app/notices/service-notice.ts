// T-16 interruption notices: the provider announces on its notice page, beforehand, that it will
// interrupt the service for maintenance or works (T-16-1(1)), a restriction (T-16-1(2), T-18) or
// another operational reason (T-16-1(3)); an emergency may be announced once it has started
// (T-16-2 ただし書). Pure: the form, the timing rule, a notice's state and who it concerns.
import { z } from "zod";
import type { Area } from "../../db/schema";
import { isIsoDate, isTimeOfDay, jstInstant } from "../lib/jst";
import { invalid, ok, type FieldErrors, type Result } from "../lib/result";
import type { ListSort } from "../lib/paging";

export const NOTICE_REASONS = {
  maintenance: "電気通信設備の保守・工事（第16条第1項第1号）",
  restriction: "利用の制限（第18条・第16条第1項第2号）",
  other: "その他の運用上の中止（第16条第1項第3号）",
} as const;
export type NoticeReason = keyof typeof NOTICE_REASONS;

export const NOTICE_AREAS = {
  all: "全エリア",
  east: "東日本エリア",
  west: "西日本エリア",
} as const;
export type NoticeArea = keyof typeof NOTICE_AREAS;

const text = (label: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${label}を入力してください`)
    .max(max, `${label}は${max}文字以内で入力してください`);

export const ServiceNoticeForm = z.object({
  reason: z.enum(Object.keys(NOTICE_REASONS) as [NoticeReason, ...NoticeReason[]], {
    error: "中止の理由を選んでください",
  }),
  area: z.enum(Object.keys(NOTICE_AREAS) as [NoticeArea, ...NoticeArea[]], {
    error: "対象エリアを選んでください",
  }),
  title: text("件名", 100),
  body: text("内容", 2000),
  startDate: z.string().refine(isIsoDate, "開始日を正しい日付で入力してください"),
  startTime: z.string().refine(isTimeOfDay, "開始時刻を HH:MM で入力してください"),
  endDate: z.string().optional().default(""),
  endTime: z.string().optional().default(""),
  emergency: z
    .string()
    .optional()
    .transform((v) => v === "on"),
});
export type ServiceNoticeInput = z.output<typeof ServiceNoticeForm>;

export interface ServiceNoticeDraft {
  reason: NoticeReason;
  area: NoticeArea;
  title: string;
  body: string;
  startsAt: Date;
  /** null: until further notice. */
  endsAt: Date | null;
  emergency: boolean;
}

/** The notice the form asks for at `now`, or the problems field by field. */
export function draftServiceNotice(
  input: ServiceNoticeInput,
  now: Date,
): Result<ServiceNoticeDraft, "startDate" | "endDate"> {
  const errors: FieldErrors<"startDate" | "endDate"> = {};
  const startsAt = jstInstant(input.startDate, input.startTime);
  let endsAt: Date | null = null;
  if (input.endDate !== "" || input.endTime !== "") {
    if (!isIsoDate(input.endDate) || !isTimeOfDay(input.endTime))
      errors.endDate = "終了日時は日付と時刻の両方を入力してください（未定なら両方とも空欄）";
    else endsAt = jstInstant(input.endDate, input.endTime);
  }
  if (endsAt && endsAt <= startsAt) errors.endDate = "終了日時は開始日時より後にしてください";
  // T-16-2: announced beforehand, except in an emergency.
  if (!input.emergency && startsAt <= now) {
    errors.startDate =
      "利用中止は事前に周知します。開始日時を現在より後にするか、緊急の場合は「緊急」を選んでください（第16条第2項）";
  }
  if (endsAt && endsAt <= now) errors.endDate ??= "終了日時を過ぎた中止は周知できません";
  if (Object.keys(errors).length > 0) return invalid(errors);
  return ok({
    reason: input.reason,
    area: input.area,
    title: input.title,
    body: input.body,
    startsAt,
    endsAt,
    emergency: input.emergency,
  });
}

export type NoticeState = "upcoming" | "current" | "ended" | "withdrawn";

export const NOTICE_STATE_LABELS: Record<NoticeState, string> = {
  upcoming: "予定",
  current: "中止中",
  ended: "終了",
  withdrawn: "取り下げ",
};

export function noticeState(
  notice: { startsAt: string; endsAt: string | null; withdrawnAt: string | null },
  now: Date,
): NoticeState {
  if (notice.withdrawnAt) return "withdrawn";
  const at = now.toISOString();
  if (notice.startsAt > at) return "upcoming";
  if (notice.endsAt === null || notice.endsAt > at) return "current";
  return "ended";
}

/** Whether a notice for `area` concerns a viewer with lines in `areas` (null: every area, the provider and resellers). */
export function concerns(area: NoticeArea, areas: readonly Area[] | null): boolean {
  return area === "all" || areas === null || areas.includes(area);
}

/** The notice page's orders (issue 17 item 2): by the start (soonest first) or the newest published. */
export type NoticeSortColumn = "start" | "published";
export const NOTICE_SORT: ListSort<NoticeSortColumn> = {
  columns: { start: "asc", published: "desc" },
  default: "start",
};
export const NOTICE_SORT_LABELS: Record<NoticeSortColumn, string> = {
  start: "開始が早い順",
  published: "掲載が新しい順",
};
