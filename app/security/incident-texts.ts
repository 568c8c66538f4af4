// What an S1-4① incident is called and the e-mail that tells the customer's system
// administrators about it. Pure: Japanese text from plain values.
import { eventActionLabel } from "./event-labels";
import { formatInstant } from "../lib/format";

export type IncidentKind = "cc_callback" | "virus_not_removed" | "gateway_offline";

export interface IncidentFacts {
  kind: IncidentKind;
  device: string;
  /** When the incident became notifiable: the event time, or for an outage the threshold crossing. */
  at: Date;
  /** For a gateway outage: when the gateway went offline. */
  offlineAt?: Date;
  thresholdMinutes?: number;
  threat?: string | null;
  url?: string | null;
  action?: string | null;
}

/** S1-4①: the three kinds of event that are notified. */
export function incidentTitle(f: Pick<IncidentFacts, "kind" | "device">): string {
  switch (f.kind) {
    case "cc_callback":
      return `C&Cサーバーとの通信を検知しました（${f.device}）`;
    case "virus_not_removed":
      return `ウイルスを駆除・隔離できませんでした（${f.device}）`;
    case "gateway_offline":
      return `ゲートウェイがオフラインになっています（${f.device}）`;
  }
}

export interface IncidentMailInput {
  facts: IncidentFacts;
  contractRef: string;
  customerName: string;
  providerName: string;
  providerPhone: string;
  /** S1-4①: when the phone call follows (the next phone window). */
  phoneAt: Date;
}

export function incidentMail(input: IncidentMailInput): { subject: string; text: string } {
  const { facts: f } = input;
  const title = incidentTitle(f);
  const details = [
    `内容: ${title}`,
    `ご契約: ${input.contractRef}`,
    `機器: ${f.device}`,
    f.kind === "gateway_offline" && f.offlineAt
      ? `オフラインになった日時: ${formatInstant(f.offlineAt)}（${f.thresholdMinutes}分以上 復旧していません）`
      : `検知日時: ${formatInstant(f.at)}`,
    f.threat ? `脅威名: ${f.threat}` : null,
    f.url ? `URL: ${f.url}` : null,
    f.action ? `処理結果: ${eventActionLabel(f.action)}` : null,
  ].filter((line): line is string => line !== null);
  const text = [
    `${input.customerName} システム管理者さま`,
    "",
    `${input.providerName}です。セキュリティサポートの監視で、次のインシデントを検知しました。`,
    "",
    ...details,
    "",
    `担当者から ${formatInstant(input.phoneAt)} 以降にお電話でもご連絡します`,
    "（お電話の受付時間は 9:00〜21:00、12月29日〜1月3日を除きます）。",
    "",
    "このメールはシステムから自動で送信しています（S1-4① インシデント通知）。",
    `お問い合わせ: ${input.providerName} ${input.providerPhone}`,
  ].join("\n");
  return { subject: `【セキュリティ通知】${title}`, text };
}
