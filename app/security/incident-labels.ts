// Japanese labels for incidents, shared by the server and the pages (no server code here: this
// module is bundled for the browser).
import type { IncidentStatus } from "../../db/schema";

export const INCIDENT_KIND_LABELS: Record<string, string> = {
  cc_callback: "C&C通信",
  virus_not_removed: "ウイルス駆除失敗",
  gateway_offline: "ゲートウェイ オフライン",
};

export const INCIDENT_STATUS_LABELS: Record<IncidentStatus, string> = {
  new: "未対応",
  acknowledged: "対応中",
  resolved: "解決済み",
};

export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export const SEVERITY_LABELS: Record<string, string> = {
  critical: "緊急",
  high: "高",
  medium: "中",
  low: "低",
  info: "情報",
};
