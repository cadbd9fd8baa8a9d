/** The analytics pages' logic, kept apart from the components so it is unit-tested
 * (web/tests/analytics.test.ts): labels of periods, rates, the charts' series, the queries and
 * request bodies sent to the API, and when to poll a report that is being built. */
import { date } from "../../lib/format";
import { type Lang, t } from "../../lib/i18n";
import type { FarmerAnalytics, MarketWeek, MonthCropSales, Period, Report, ReportFormat, ReportKind, SeriesPoint } from "./types";

export const TIME_ZONE = "Africa/Kampala";
/** The API's limit on a report's span (POST /reports: to_date - from_date <= 366 days). */
export const MAX_REPORT_DAYS = 366;
export const MARKET_WEEKS = [4, 8, 12, 26, 52] as const;
export const DEFAULT_MARKET_WEEKS = 12;
export const SALES_MONTHS = 12;

const MONTHS: Record<Lang, string[]> = {
  en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
  lg: ["Janwali", "Febwali", "Marisi", "Apuli", "Maayi", "Juuni", "Julaayi", "Agusito", "Sebuttemba", "Okitobba", "Novemba", "Desemba"],
};

/** A ratio in [0, 1] as a percentage ("83.3%", "100%"), or "–" when the API has none. */
export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return "–";
  const tenths = Math.round(rate * 1000) / 10;
  return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)}%`;
}

/** Today's date in East Africa Time ("2026-12-03"), whatever the device's zone. */
export function todayEat(now: Date = new Date()): string {
  const p: Record<string, string> = {};
  for (const part of new Intl.DateTimeFormat("en-GB", { timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now)) {
    p[part.type] = part.value;
  }
  return `${p.year}-${p.month}-${p.day}`;
}

/** A date ("2026-12-03") moved by `days`. */
export function addDays(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** "2026-12" as "December 2026" (or in Luganda). */
export function monthLabel(month: string, lang: Lang = "en"): string {
  const [year, m] = month.split("-").map(Number);
  const name = MONTHS[lang][(m ?? 1) - 1];
  return name && year ? `${name} ${year}` : month;
}

/** "2026-W49" as "Week 49, 2026" (or in Luganda). */
export function weekLabel(week: string, lang: Lang = "en"): string {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) return week;
  return t("an.week", { n: Number(match[2]), year: match[1]! }, lang);
}

/** A period's key as people read it: "3 Dec 2026", "Week 49, 2026", "December 2026". */
export function periodLabel(period: Period, key: string, lang: Lang = "en"): string {
  if (period === "day") return date(`${key}T12:00:00+03:00`, lang);
  if (period === "week") return weekLabel(key, lang);
  return monthLabel(key, lang);
}

/** A period's key, short, for a chart's axis: "3 Dec", "W49", "Dec". */
export function shortKey(key: string, lang: Lang = "en"): string {
  const week = /^\d{4}-W(\d{2})$/.exec(key);
  if (week) return `W${Number(week[1])}`;
  const day = /^\d{4}-(\d{2})-(\d{2})$/.exec(key);
  if (day) return `${Number(day[2])} ${MONTHS[lang][Number(day[1]) - 1]!.slice(0, 3)}`;
  const month = /^\d{4}-(\d{2})$/.exec(key);
  if (month) return MONTHS[lang][Number(month[1]) - 1]!.slice(0, 3);
  return key;
}

type Query = Record<string, string | number>;

/** GET /admin/metrics's query: the period, and the day it is read on (absent: today, EAT). */
export function metricsQuery(period: Period, on?: string | null): Query {
  return on ? { period, on } : { period };
}

/** GET /analytics/market's query: a crop, a district (absent: all districts) and how many weeks. */
export function marketQuery(crop: string, district: string | null | undefined, weeks: number = DEFAULT_MARKET_WEEKS): Query {
  const clamped = Math.min(52, Math.max(1, Math.round(weeks) || DEFAULT_MARKET_WEEKS));
  return district ? { crop, district, weeks: clamped } : { crop, weeks: clamped };
}

/** The dashboard's series for uPlot: x as indexes (category axis), orders placed and completed,
 * GMV. */
export function seriesData(series: SeriesPoint[]): [number[], number[], number[], number[]] {
  return [series.map((_, i) => i), series.map((p) => p.orders_placed), series.map((p) => p.orders_completed), series.map((p) => p.gmv_ugx)];
}

/** The market's weeks for uPlot: x as indexes, kg traded, the median price and WFP's. */
export function marketData(weeks: MarketWeek[]): [number[], number[], (number | null)[], (number | null)[]] {
  return [weeks.map((_, i) => i), weeks.map((w) => w.kg), weeks.map((w) => w.median_price_ugx), weeks.map((w) => w.wfp_price_ugx)];
}

export interface MonthTotal {
  month: string;
  orders: number;
  kg: number;
  revenue_ugx: number;
}

/** A farmer's sales summed by month over the crops, oldest first, months without a sale at zero. */
export function salesByMonth(months: MonthCropSales[]): MonthTotal[] {
  const by = new Map<string, MonthTotal>();
  for (const m of months) {
    const total = by.get(m.month) ?? { month: m.month, orders: 0, kg: 0, revenue_ugx: 0 };
    total.orders += m.orders;
    total.kg += m.kg;
    total.revenue_ugx += m.revenue_ugx;
    by.set(m.month, total);
  }
  const sorted = [...by.values()].sort((a, b) => a.month.localeCompare(b.month));
  if (!sorted.length) return sorted;
  // every month from the first sale to the last, those without a sale at zero
  const filled: MonthTotal[] = [];
  for (let month = sorted[0]!.month; month <= sorted[sorted.length - 1]!.month; month = nextMonth(month)) {
    filled.push(by.get(month) ?? { month, orders: 0, kg: 0, revenue_ugx: 0 });
  }
  return filled;
}

/** "2026-12" -> "2027-01". */
export function nextMonth(month: string): string {
  const [year, m] = month.split("-").map(Number);
  return m === 12 ? `${year! + 1}-01` : `${year}-${String(m! + 1).padStart(2, "0")}`;
}

/** The crops a farmer sold, the best-selling (by revenue) first. */
export function cropsSold(months: MonthCropSales[]): string[] {
  const revenue = new Map<string, number>();
  for (const m of months) revenue.set(m.crop, (revenue.get(m.crop) ?? 0) + m.revenue_ugx);
  return [...revenue.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([crop]) => crop);
}

/** One crop's months, oldest first, with the price obtained, the market's and the forecast. */
export function priceData(months: MonthCropSales[], crop: string): { months: string[]; data: [number[], number[], (number | null)[], (number | null)[]] } {
  const rows = months.filter((m) => m.crop === crop).sort((a, b) => a.month.localeCompare(b.month));
  return {
    months: rows.map((r) => r.month),
    data: [rows.map((_, i) => i), rows.map((r) => r.average_price_ugx), rows.map((r) => r.market_price_ugx), rows.map((r) => r.forecast_price_ugx)],
  };
}

/** The farmer's totals: the API's (crop "all"), or summed from the months when it gave none. */
export function farmerTotals(a: FarmerAnalytics): { orders: number; kg: number; revenue_ugx: number } {
  if (a.totals) return { orders: a.totals.orders, kg: a.totals.kg, revenue_ugx: a.totals.gmv_ugx };
  return a.months.reduce((s, m) => ({ orders: s.orders + m.orders, kg: s.kg + m.kg, revenue_ugx: s.revenue_ugx + m.revenue_ugx }), { orders: 0, kg: 0, revenue_ugx: 0 });
}

/** The difference between what the farmer obtained and the market's price, as a share of the
 * market's price ("+5%", "-12%"), or null with no market price. */
export function versusMarket(obtained: number, market: number | null | undefined): number | null {
  if (!market) return null;
  return (obtained - market) / market;
}

export function signedPercent(ratio: number | null): string {
  if (ratio === null) return "–";
  const text = percent(Math.abs(ratio));
  return ratio > 0 ? `+${text}` : ratio < 0 ? `-${text}` : text;
}

// ------------------------------------------------------------------ reports
export interface ReportDraft {
  kind: ReportKind;
  format: ReportFormat;
  from_date: string;
  to_date: string;
  crop: string;
  district: string;
}

/** A new draft: this month so far (EAT), CSV, of the first kind the user may ask for. */
export function newDraft(kind: ReportKind, today: string = todayEat()): ReportDraft {
  return { kind, format: "csv", from_date: `${today.slice(0, 8)}01`, to_date: today, crop: "", district: "" };
}

/** What is wrong with a draft before it is sent, by field (i18n keys); empty when it can go. */
export function draftProblems(draft: ReportDraft, today: string = todayEat()): Record<string, string> {
  const problems: Record<string, string> = {};
  const valid = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d));
  if (!valid(draft.from_date)) problems.from_date = "an.reports.badDate";
  if (!valid(draft.to_date)) problems.to_date = "an.reports.badDate";
  if (problems.from_date || problems.to_date) return problems;
  if (daysBetween(draft.from_date, draft.to_date) < 0) problems.to_date = "an.reports.toBeforeFrom";
  else if (daysBetween(draft.from_date, draft.to_date) > MAX_REPORT_DAYS) problems.to_date = "an.reports.tooLong";
  if (daysBetween(today, draft.from_date) > 0) problems.from_date = "an.reports.future";
  return problems;
}

/** POST /reports's body: the optional crop and district only when chosen (and only for the kinds
 * that take them: a payouts report is the ledger's, by date). */
export function reportBody(draft: ReportDraft): Record<string, string> {
  const body: Record<string, string> = { kind: draft.kind, format: draft.format, from_date: draft.from_date, to_date: draft.to_date };
  if (draft.kind !== "payouts") {
    if (draft.crop) body.crop = draft.crop;
    if (draft.district) body.district = draft.district;
  }
  return body;
}

export function isPending(report: Pick<Report, "status">): boolean {
  return report.status === "queued" || report.status === "running";
}

/** How long to wait before asking again about reports being built: quickly at first (a small
 * report is ready in seconds), then less often, never more than every 15 s. */
export function pollDelay(attempt: number): number {
  const steps = [1500, 2000, 3000, 5000, 8000, 12000];
  return steps[Math.min(Math.max(0, attempt), steps.length - 1)]! + (attempt >= steps.length ? 3000 : 0);
}

/** The next poll, or null when nothing is being built (or after `maxAttempts`: the user reloads). */
export function nextPoll(reports: Pick<Report, "status">[], attempt: number, maxAttempts = 200): number | null {
  if (!reports.some(isPending) || attempt >= maxAttempts) return null;
  return pollDelay(attempt);
}

/** The list with fresher copies of some reports (by id) in place, and new ones first. */
export function mergeReports(list: Report[], fresh: Report[]): Report[] {
  const byId = new Map(fresh.map((r) => [r.id, r]));
  const merged = list.map((r) => byId.get(r.id) ?? r);
  const known = new Set(list.map((r) => r.id));
  const added = fresh.filter((r) => !known.has(r.id)).sort((a, b) => b.created_at.localeCompare(a.created_at));
  return [...added, ...merged];
}

/** The file name a report is saved as: "soko-sales-2026-12-01-2026-12-03.csv". */
export function reportFilename(r: Pick<Report, "kind" | "format" | "from_date" | "to_date">): string {
  return `soko-${r.kind.replace(/_/g, "-")}-${r.from_date}-${r.to_date}.${r.format}`;
}

/** The kinds of report a user may ask for: farmers and admins all three, anyone else market
 * prices. */
export function kindsFor(roles: { farmer: boolean; admin: boolean }): ReportKind[] {
  return roles.farmer || roles.admin ? ["sales", "payouts", "market_prices"] : ["market_prices"];
}
