// Japanese labels for codes shown on screens. Codes stay English in data and URLs.
import type { Area, ContractStatus, Ownership } from "../../db/schema";
import type { AccountState } from "../auth/accounts";

export const AREA_LABELS: Record<Area, string> = { east: "東日本", west: "西日本" };
export const CONTRACT_STATUS_LABELS: Record<ContractStatus, string> = {
  active: "利用中",
  suspended: "利用停止中",
  terminated: "解約済み",
};
export const OWNERSHIP_LABELS: Record<Ownership, string> = {
  rental: "レンタル",
  purchased: "買取",
};
export const DEVICE_TYPE_LABELS: Record<string, string> = {
  pc: "PC",
  server: "サーバー",
  gateway: "ゲートウェイ",
  smartphone: "スマートフォン",
  tablet: "タブレット",
};

const ITEM_LABELS: Record<string, string> = {
  "base.standard": "基本料金（プラン①）",
  endpoint: "エンドポイントセキュリティ",
  "gateway.gw10": "ゲートウェイ装置 10クライアントモデル",
  "gateway.gw50": "ゲートウェイ装置 50クライアントモデル",
  "gateway.gw100": "ゲートウェイ装置 100クライアントモデル",
  sandbox: "クラウドサンドボックス",
};

export function itemLabel(code: string): string {
  return ITEM_LABELS[code] ?? code;
}

export const ACCOUNT_STATE_LABELS: Record<AccountState, string> = {
  active: "利用中",
  invited: "パスワード設定待ち",
  expired: "設定用リンクの期限切れ",
  disabled: "停止中",
};
