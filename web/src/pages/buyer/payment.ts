import { t } from "../../lib/i18n";

/** The order's payment status ("paid (escrow)", "payment failed", ...) in the user's language. */
export function paymentLabel(status: string | null | undefined): string {
  const key = `buyer.paystatus.${(status || "unpaid").replace(/[^a-z]+/g, "_").replace(/_+$/, "")}`;
  const text = t(key);
  return text === key ? (status ?? "") : text;
}
