// The webhook event types and their Japanese names (pure: shared by the server, the console page and the API schemas).
export const WEBHOOK_EVENT_TYPES = [
  "incident.opened",
  "incident.resolved",
  "invoice.issued",
  "invoice.overdue",
  "application.approved",
  "contract.terminated",
  "license.ended",
  "report.ready",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_EVENT_LABELS: Record<WebhookEventType, string> = {
  "incident.opened": "インシデントの発生",
  "incident.resolved": "インシデントの解決",
  "invoice.issued": "請求書の発行",
  "invoice.overdue": "請求書の支払期限超過（督促）",
  "application.approved": "お申し込みの承認",
  "contract.terminated": "契約の解約・解除",
  "license.ended": "ライセンスの終了",
  "report.ready": "脅威レポートの作成",
};
