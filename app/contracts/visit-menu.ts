// The per-unit items of the visit-support menu (S5) offered on the booking form, in the order
// of the tariff. Labels only: prices come from the tariff.
export const VISIT_MENU = [
  { code: "visit.os_recovery", label: "OSリカバリ", unit: "台" },
  { code: "visit.os_update", label: "OSアップデート", unit: "台" },
  { code: "visit.internet", label: "インターネット接続設定", unit: "台" },
  { code: "visit.wifi", label: "Wi-Fi設定", unit: "台" },
  { code: "visit.app", label: "アプリケーション設定", unit: "件" },
  { code: "visit.printer", label: "プリンター設定", unit: "台" },
  { code: "visit.gateway_install", label: "ゲートウェイ装置の設置・設定", unit: "台" },
] as const;
