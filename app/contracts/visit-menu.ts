// The per-unit items of the visit-support menu (S5) offered on the booking form, in the order
// of the tariff. Labels here; prices come from the tariff.
import { priceOf, type TariffVersion } from "../billing/tariff";
import { consumptionTax10 } from "../billing/tax";

export const VISIT_MENU = [
  { code: "visit.os_recovery", label: "OSリカバリ", unit: "台" },
  { code: "visit.os_update", label: "OSアップデート", unit: "台" },
  { code: "visit.internet", label: "インターネット接続設定", unit: "台" },
  { code: "visit.wifi", label: "Wi-Fi設定", unit: "台" },
  { code: "visit.app", label: "アプリケーション設定", unit: "件" },
  { code: "visit.printer", label: "プリンター設定", unit: "台" },
  { code: "visit.gateway_install", label: "ゲートウェイ装置の設置・設定", unit: "台" },
] as const;

/** The visit items shown with their prices on the booking form (issue 17 item 9). */
export interface VisitMenuPrice {
  code: string;
  label: string;
  unit: string;
  /** Tax-exclusive, per unit (docs/rules/tariff.md, S5). */
  priceYen: number;
  /** With 10 % consumption tax on that one unit, fractions dropped (T-31, T-28). */
  priceWithTaxYen: number;
}

/**
 * Every per-visit and per-unit item of the S5 menu with its price in `tariff` (the version in
 * force for the visit's month, T-2): the basic work fee, the diagnosis and the menu above. Data
 * migration is priced per PC by volume (S6) and is not a single price.
 */
export function visitMenuPrices(tariff: TariffVersion): VisitMenuPrice[] {
  const items: { code: string; label: string; unit: string }[] = [
    { code: "visit.base", label: "基本作業料", unit: "回" },
    { code: "visit.diagnosis", label: "状況診断", unit: "回" },
    ...VISIT_MENU,
  ];
  return items.map((item) => {
    const priceYen = priceOf(tariff, item.code);
    return { ...item, priceYen, priceWithTaxYen: priceYen + consumptionTax10(priceYen) };
  });
}
