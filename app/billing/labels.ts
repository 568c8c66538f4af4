// Japanese labels for billing codes shown to people (pages, Excel downloads). Codes stay English
// in the tables and in the command-line CSV of the import/export contract (decision 0026).
import type { TaxCategoryColumn } from "../../db/schema";

export const TAX_CATEGORY_LABELS: Record<TaxCategoryColumn, string> = {
  taxable_10: "課税（10%）",
  non_taxable: "非課税・不課税",
};
