/** Volume price tiers (issue 18), as the API's `soko.market.tiers` computes them: a tier is
 * `{min_kg, discount_percent}`; an order (or a group's fill) of at least `min_kg` pays the list price
 * less `discount_percent`, rounded half up to a whole shilling per kg. At most five tiers, strictly
 * increasing in both. Quantities come from the API as decimal strings ("1000.000"). */

export const MAX_TIERS = 5;

export interface PriceTier {
  min_kg: string | number;
  discount_percent: number;
}

/** A tier being typed in a form: both fields as the inputs hold them. */
export interface TierDraft {
  min_kg: string;
  discount_percent: string;
}

export function kgNumber(value: string | number | null | undefined): number {
  if (value === null || value === undefined || value === "") return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** The price per kg at `tier` (the list price when none), half up, in whole shillings. */
export function tierPrice(pricePerKg: number, tier: PriceTier | null | undefined): number {
  if (!tier) return pricePerKg;
  // integer arithmetic: price x (100 - d) is whole, so half up is floor((x + 50) / 100)
  return Math.floor((pricePerKg * (100 - tier.discount_percent) + 50) / 100);
}

/** The best tier `kg` reaches, or null. */
export function tierFor(tiers: PriceTier[] | null | undefined, kg: number): PriceTier | null {
  let best: PriceTier | null = null;
  for (const tier of tiers ?? []) if (kg >= kgNumber(tier.min_kg)) best = tier;
  return best;
}

/** The first tier `kg` does not reach yet, or null. */
export function nextTier(tiers: PriceTier[] | null | undefined, kg: number): PriceTier | null {
  return (tiers ?? []).find((tier) => kg < kgNumber(tier.min_kg)) ?? null;
}

/** What is wrong with the tiers typed in a form (an i18n key and its variables), or null. The API
 * checks the same; saying it beside the rows first spares a round trip. */
export function tierProblem(drafts: TierDraft[]): { key: string; vars?: Record<string, string | number> } | null {
  if (drafts.length > MAX_TIERS) return { key: "tiers.error.many", vars: { n: MAX_TIERS } };
  let previous: { kg: number; pct: number } | null = null;
  for (const [i, draft] of drafts.entries()) {
    const kg = Number(draft.min_kg);
    const pct = Number(draft.discount_percent);
    if (!draft.min_kg.trim() || !Number.isFinite(kg) || kg <= 0) return { key: "tiers.error.kg", vars: { n: i + 1 } };
    if (!/^\d+(\.\d{1,3})?$/.test(draft.min_kg.trim())) return { key: "tiers.error.kg", vars: { n: i + 1 } };
    if (!Number.isInteger(pct) || pct < 1 || pct > 50 || !draft.discount_percent.trim()) return { key: "tiers.error.pct", vars: { n: i + 1 } };
    if (previous && !(kg > previous.kg && pct > previous.pct)) return { key: "tiers.error.order", vars: { n: i + 1 } };
    previous = { kg, pct };
  }
  return null;
}

/** The tiers as the API takes them (min_kg as a decimal string: exact). */
export function tiersBody(drafts: TierDraft[]): { min_kg: string; discount_percent: number }[] {
  return drafts.map((d) => ({ min_kg: d.min_kg.trim(), discount_percent: Number(d.discount_percent) }));
}

export function tierDrafts(tiers: PriceTier[] | null | undefined): TierDraft[] {
  return (tiers ?? []).map((t) => ({ min_kg: String(kgNumber(t.min_kg)), discount_percent: String(t.discount_percent) }));
}

/** Whether two tier lists say the same (an edit that leaves them alone does not send them). */
export function sameTiers(a: TierDraft[], b: TierDraft[]): boolean {
  return a.length === b.length && a.every((t, i) => Number(t.min_kg) === Number(b[i].min_kg) && Number(t.discount_percent) === Number(b[i].discount_percent));
}
