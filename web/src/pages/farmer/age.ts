import { t } from "../../lib/i18n";

/** How old a price is, in words (`20 months old`, Luganda `emyezi 20 emabega`): the same steps as
 * the API's and USSD's `soko.ml.freshness.age_text` (days under 2 weeks, weeks under 60 days,
 * months under 2 years, then years). Keys in ./messages.ts. */
export function ageText(days: number): string {
  if (days <= 0) return t("prices.age.today");
  if (days < 14) return t(days === 1 ? "prices.age.day" : "prices.age.days", { n: days });
  if (days < 60) {
    const weeks = Math.floor(days / 7);
    return t("prices.age.weeks", { n: weeks });
  }
  const months = Math.round(days / 30.44);
  if (months < 24) return t("prices.age.months", { n: months });
  return t("prices.age.years", { n: Math.floor(months / 12) });
}
