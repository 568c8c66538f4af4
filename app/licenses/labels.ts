// Japanese labels for the licence screens. Not a server module: the browser bundle renders them.
import type { IspMainServiceKind, IspMainServiceStatus, RefundStateColumn } from "../../db/schema";
import type { IspStatus } from "./isp-bundle";
import type { Channel, LicenseKind, LicenseTerm, RenewalState } from "./license";
import type { MatchField } from "./lookup";
import type { DisplayState } from "./overview";

export const CHANNEL_LABELS: Record<Channel, string> = {
  vendor_store: "メーカー公式ストア",
  isp: "プロバイダ（ISP）",
  carrier_provider: "携帯ショップ（提供会社）",
  reseller: "販売店",
  app_store: "アプリストア",
};

export const TERM_LABELS: Record<LicenseTerm, string> = { annual: "年額", monthly: "月額" };

export const KIND_LABELS: Record<LicenseKind, string> = {
  standard: "通常",
  service: "サービス型",
  trial: "体験版から移行",
};

export const RENEWAL_STATE_LABELS: Record<RenewalState, string> = {
  active: "自動延長あり",
  stop_requested: "停止手続き中",
  stopped: "停止済み",
};

export const DISPLAY_STATE_LABELS: Record<DisplayState, string> = {
  active: "利用中（自動延長あり）",
  stop_requested: "自動延長の停止手続き中",
  stopped_running: "利用中（自動延長なし）",
  cancelled_running: "解約済み（期限まで利用可）",
  isp_cancel_pending: "解約予約中",
  ended: "終了",
};

/** The badge class of a display state (styles.css). */
export const DISPLAY_STATE_BADGES: Record<DisplayState, string> = {
  active: "",
  stop_requested: "warn",
  stopped_running: "warn",
  cancelled_running: "suspended",
  isp_cancel_pending: "suspended",
  ended: "terminated",
};

export const REFUND_STATE_LABELS: Record<RefundStateColumn, string> = {
  requested: "申請中",
  approved: "承認済み",
  paid: "返金済み",
  refused: "返金不可",
};

export const MATCH_FIELD_LABELS: Record<MatchField, string> = {
  orderNumber: "注文番号",
  productKey: "プロダクトキー／PIN",
  contractNumber: "契約番号",
  carrierPaymentNumber: "キャリア決済の決済番号",
  email: "メールアドレス",
};

export const ISP_STATUS_LABELS: Record<IspStatus, string> = {
  active: "ご利用中",
  cancellation_pending: "解約予約中",
  ended: "終了",
};

/** The L-3 row or exception behind a refund, as finance reads it. */
export const REFUND_RULE_LABELS: Record<string, string> = {
  annual_purchase: "年額・初回購入から60日以内",
  annual_renewal: "年額・延長料金の請求から60日以内",
  monthly_purchase: "月額・初回購入から14日以内",
  monthly_renewal: "月額・延長料金（返金なし）",
  service: "サービス型（未利用）",
  annual_trial_conversion: "年額・体験版終了後の請求から60日以内",
  monthly_trial_conversion: "月額・体験版終了後の初回請求から14日以内",
  uk_nl_pro_rata: "英国・オランダ: 日割り返金",
  cooling_off: "クーリングオフ（14日以内）",
};

export const MAIN_SERVICE_KIND_LABELS: Record<IspMainServiceKind, string> = {
  internet: "インターネット",
  tv: "テレビ",
  phone: "電話",
  other: "その他",
};

export const MAIN_SERVICE_STATUS_LABELS: Record<IspMainServiceStatus, string> = {
  active: "ご利用中",
  suspended: "休止",
  ended: "解約",
};

/** How an automatic end (L-4) is named on screens and in messages, followed by its last day. */
export const AUTO_ENDED_LABEL = "主契約の終了に伴い自動解約";

/** L-4 「主契約の終了に伴い自動解約（2026-10-31）」: the end of an ISP contract that ended with the main services. */
export function autoEndedText(endedOn: string): string {
  return `${AUTO_ENDED_LABEL}（${endedOn}）`;
}
