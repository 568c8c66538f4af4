// The navigation each role sees. Only pages the role may open are listed.
import type { Role } from "../../db/schema";

export interface NavItem {
  to: string;
  label: string;
}

const ALL: readonly (NavItem & { roles: readonly Role[] })[] = [
  {
    to: "/home",
    label: "ホーム",
    roles: ["provider_admin", "operator", "finance", "reseller_manager", "customer_admin"],
  },
  {
    to: "/notices",
    label: "お知らせ",
    roles: ["provider_admin", "operator", "finance", "reseller_manager", "customer_admin"],
  },
  {
    to: "/dashboard",
    label: "ダッシュボード",
    roles: ["provider_admin", "operator", "finance", "reseller_manager", "customer_admin"],
  },
  {
    to: "/portfolio",
    label: "ポートフォリオ",
    roles: ["provider_admin", "operator", "finance", "reseller_manager"],
  },
  {
    to: "/customers",
    label: "顧客",
    roles: ["provider_admin", "operator", "finance", "reseller_manager"],
  },
  {
    to: "/incidents",
    label: "インシデント",
    roles: ["provider_admin", "operator", "finance", "reseller_manager", "customer_admin"],
  },
  { to: "/calls", label: "電話連絡", roles: ["provider_admin", "operator"] },
  { to: "/visits", label: "訪問予定", roles: ["provider_admin", "operator"] },
  {
    to: "/contracts",
    label: "契約",
    roles: ["provider_admin", "operator", "finance", "reseller_manager", "customer_admin"],
  },
  {
    to: "/applications",
    label: "お申し込み",
    roles: ["provider_admin", "operator", "reseller_manager", "customer_admin"],
  },
  { to: "/outages", label: "障害の記録", roles: ["provider_admin", "operator"] },
  { to: "/reviews", label: "審査待ち", roles: ["provider_admin", "operator"] },
  { to: "/cancellations", label: "解約の確認", roles: ["provider_admin", "operator"] },
  {
    to: "/reports",
    label: "月次レポート",
    roles: ["provider_admin", "operator", "reseller_manager", "customer_admin"],
  },
  {
    to: "/invoices",
    label: "請求書",
    roles: ["provider_admin", "operator", "finance", "reseller_manager", "customer_admin"],
  },
  {
    to: "/licenses",
    label: "ライセンス",
    roles: ["provider_admin", "operator", "finance", "reseller_manager", "customer_admin"],
  },
  { to: "/billing", label: "請求締め", roles: ["provider_admin", "finance"] },
  { to: "/archive", label: "電子帳簿の検索", roles: ["provider_admin", "finance"] },
  { to: "/bank-credits", label: "入金の照合", roles: ["provider_admin", "finance"] },
  { to: "/tariffs", label: "料金表", roles: ["provider_admin", "operator", "finance"] },
  { to: "/api-keys", label: "APIキー", roles: ["provider_admin", "reseller_manager"] },
  { to: "/webhooks", label: "Webhook", roles: ["provider_admin", "reseller_manager"] },
  { to: "/audit", label: "監査ログ", roles: ["provider_admin"] },
  { to: "/settings", label: "事業者設定", roles: ["provider_admin"] },
  {
    to: "/account",
    label: "アカウント",
    roles: ["provider_admin", "operator", "finance", "reseller_manager", "customer_admin"],
  },
];

export function navFor(role: Role): NavItem[] {
  return ALL.filter((item) => item.roles.includes(role)).map(({ to, label }) => ({ to, label }));
}
