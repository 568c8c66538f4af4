// L-6 Finding a licence and its cancellation path (docs/rules/licenses.md, seeds 000, 001,
// 003): match a query against order number, product key / PIN, contract number, carrier
// payment number or e-mail, and tell exactly where and how the licence is stopped.
import type { License } from "./license";
import { carrierCancellationSteps } from "./carrier";

export type MatchField =
  "orderNumber" | "productKey" | "contractNumber" | "carrierPaymentNumber" | "email";

export interface LookupCustomer {
  ref: string;
  email: string | null;
}

export interface LicenseMatch {
  license: License;
  matchedBy: MatchField;
}

/**
 * Keys as people type them: full-width characters folded (NFKC), case ignored, and hyphens,
 * dashes, the long-vowel mark typed for a dash, and spaces (also full-width) dropped.
 */
export function normalizeKey(value: string): string {
  return value
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[\s\-‐‑‒–—―−ー]/g, "");
}

export function normalizeEmail(value: string): string {
  return value.normalize("NFKC").trim().toLowerCase();
}

/**
 * L-6 Every licence the query identifies, with the field that matched. A query holding "@"
 * is an e-mail address (the order's, else the customer's); anything else is compared with the
 * keys (order number, product key / PIN, contract number, carrier payment number).
 */
export function findLicenses(
  query: string,
  licenses: readonly License[],
  customers: readonly LookupCustomer[] = [],
): LicenseMatch[] {
  if (query.includes("@") || query.includes("＠")) {
    const email = normalizeEmail(query);
    if (email === "") return [];
    const emailOf = new Map(customers.map((c) => [c.ref, c.email]));
    return licenses
      .filter((l) =>
        [l.orderEmail, emailOf.get(l.customer)].some(
          (e) => e != null && normalizeEmail(e) === email,
        ),
      )
      .map((license) => ({ license, matchedBy: "email" as const }));
  }
  const key = normalizeKey(query);
  if (key === "") return [];
  const fields: Exclude<MatchField, "email">[] = [
    "orderNumber",
    "productKey",
    "contractNumber",
    "carrierPaymentNumber",
  ];
  const matches: LicenseMatch[] = [];
  for (const license of licenses) {
    const field = fields.find((f) => {
      const v = license[f];
      return v != null && normalizeKey(v) === key;
    });
    if (field) matches.push({ license, matchedBy: field });
  }
  return matches;
}

export type CancellationPathKind =
  | "vendor_account"
  | "store_order_status"
  | "support_chat"
  | "isp_mypage"
  | "carrier_provider"
  | "app_store"
  | "reseller";

export interface CancellationPath {
  kind: CancellationPathKind;
  title: string;
  url: string | null;
  /** What the person does, in order (Japanese). */
  steps: string[];
}

export const STORE_ORDER_STATUS_URL = "https://www.nortonstore.jp/orderstatus/";
export const SUPPORT_CHAT_URL = "https://support.norton.com/sp/ja/jp/home/current/contact-chat";
const REFUND_STEP =
  "返金を申請する場合は、サポート窓口またはライブチャットで申請します（処理には数日かかります）。";

/** L-6 Which path the vendor-store order number leads to: AP/NP → account, SY → order status, else chat. */
export function vendorPathKind(
  orderNumber: string | null,
): "vendor_account" | "store_order_status" | "support_chat" {
  const prefix = normalizeKey(orderNumber ?? "").slice(0, 2);
  if (prefix === "AP" || prefix === "NP") return "vendor_account";
  if (prefix === "SY") return "store_order_status";
  return "support_chat";
}

/**
 * L-6 The exact path to stop or cancel a licence. Channels other than the vendor store go
 * through their seller (L-4 ISP, L-5 carrier-shop provider, app store, reseller); for the
 * vendor store the order number decides. `all` lets the carrier path name the other monthly
 * services a shop-side cancellation would also end.
 */
export function cancellationPath(license: License, all: readonly License[] = []): CancellationPath {
  const order = license.orderNumber?.trim() || null;
  switch (license.channel) {
    case "isp":
      return {
        kind: "isp_mypage",
        title: "プロバイダのマイページで解約申込み",
        url: null,
        steps: [
          "ご契約のプロバイダのマイページにログインします。",
          "「各種設定」から「インターネットセキュリティサービス」を開きます。",
          `解約する契約番号${license.contractNumber ? `（${license.contractNumber}）` : ""}を選択し、「解約申込み」をクリックします。内容を確認し、「解約」をクリックします。`,
          "解約日は解約申込み日の月末日となります。解約月のご利用料金の日割りによる精算はいたしません。",
          "当月中は解約予約の取消ができます。",
        ],
      };
    case "carrier_provider":
      return {
        kind: "carrier_provider",
        title: "提供元（サービス提供会社）で解約",
        url: null,
        steps: carrierCancellationSteps(license, all),
      };
    case "app_store":
      return {
        kind: "app_store",
        title: "購入したアプリストアで解約",
        url: null,
        steps: [
          "購入したアプリストア（App Store／Google Play）のサブスクリプション管理を開きます。",
          "このライセンスのサブスクリプションを解約します。",
          "解約・返金の条件はアプリストアの規約に従います（メーカーの返金ポリシーの対象外です）。",
        ],
      };
    case "reseller":
      return {
        kind: "reseller",
        title: "購入した販売店で解約",
        url: null,
        steps: [
          `購入した販売店に連絡し、解約を申し出ます${order ? `（注文番号 ${order}）` : ""}。`,
          "解約・返金の条件は販売店の規約に従います（メーカーの返金ポリシーの対象外です）。",
        ],
      };
    case "vendor_store":
      break;
  }
  switch (vendorPathKind(order)) {
    case "vendor_account":
      return {
        kind: "vendor_account",
        title: "アカウントのライセンスページで自動延長を停止",
        url: null,
        steps: [
          "ノートン アカウントにサインインします。",
          "[マイアカウント] ページで、ライセンスの横または下にある [ライセンス自動延長サービスをキャンセルする] をクリックします。",
          "キャンセルを確定します。確定までに通常数時間かかります。",
          REFUND_STEP,
        ],
      };
    case "store_order_status":
      return {
        kind: "store_order_status",
        title: "ストアの注文状況ページで自動延長を停止",
        url: STORE_ORDER_STATUS_URL,
        steps: [
          `ストアの注文状況ページ（${STORE_ORDER_STATUS_URL}）を開きます。`,
          `注文番号（${order}）と、注文時の電子メールアドレスまたは電話番号を入力します。`,
          "ライセンス自動延長サービスを停止します。",
          REFUND_STEP,
        ],
      };
    case "support_chat":
      return {
        kind: "support_chat",
        title: "サポートのチャットで停止を依頼",
        url: SUPPORT_CHAT_URL,
        steps: [
          ...(order
            ? []
            : [
                "注文番号は、注文確認メール（送信元 order@mail.nortonstore.jp、件名「自動延長サービス・課金完了のご案内」）で確認できます。",
              ]),
          `サポートのチャット（${SUPPORT_CHAT_URL}）を開きます。`,
          "カテゴリで「自動延長サービスと購入」を選び、お問い合わせ内容に自動延長の停止（または解約・返金）を希望することを書きます。",
          "注文番号がわからない場合も、購入時の電子メールアドレスや電話番号から調べてもらえます。",
        ],
      };
  }
}
