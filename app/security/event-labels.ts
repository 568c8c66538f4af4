// Japanese labels for security event codes (types and results), shared by the server, the PDFs
// and the pages (no server code here: this module is bundled for the browser). Codes stay English
// in the data and the import format.
import type { SecurityEventAction, SecurityEventType } from "./notification-windows";

export const EVENT_TYPE_LABELS: Record<SecurityEventType, string> = {
  virus: "ウイルス",
  network_virus: "ネットワークウイルス",
  spyware: "スパイウェア",
  grayware: "グレーウェア",
  spam: "迷惑メール",
  phishing: "フィッシング",
  cc_callback: "C&C通信",
  web_block: "Webブロック",
  app_block: "アプリケーション制御",
  intrusion: "不正侵入",
  sandbox: "サンドボックス",
  gateway_offline: "ゲートウェイ オフライン",
  gateway_online: "ゲートウェイ 復旧",
  pattern_outdated: "パターンファイルの期限切れ",
  license_expiring: "ライセンスの期限切れ間近",
};

export const EVENT_ACTION_LABELS: Record<SecurityEventAction, string> = {
  blocked: "ブロック",
  quarantined: "隔離",
  removed: "駆除",
  failed: "処理失敗",
  passed: "通過（検知のみ）",
};

export function eventTypeLabel(type: string): string {
  return (EVENT_TYPE_LABELS as Record<string, string>)[type] ?? type;
}

export function eventActionLabel(action: string | null): string {
  return action ? ((EVENT_ACTION_LABELS as Record<string, string>)[action] ?? action) : "—";
}
