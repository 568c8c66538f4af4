// An invoice's payment state as the invoice lists show it (the invoice list, the customer page).
import type { PaymentState } from "~/billing/invoices.server";

export function InvoiceStateBadge({ state, overdue }: { state: PaymentState; overdue: boolean }) {
  return (
    <span className={`badge ${state === "paid" ? "" : overdue ? "suspended" : "warn"}`}>
      {state === "paid"
        ? "入金済み"
        : overdue
          ? "期日超過"
          : state === "partial"
            ? "一部入金"
            : "未入金"}
    </span>
  );
}
