// Japanese names of the services an outage can hit (T-24-2(2)); bundled for the browser.
import type { OutageService } from "../billing/outage-credit";

export const OUTAGE_SERVICE_LABELS: Record<OutageService, string> = {
  base: "セキュリティサポート（基本）",
  endpoint: "エンドポイントセキュリティ",
  gateway: "ゲートウェイ",
  sandbox: "クラウドサンドボックス",
};
