/** The analytics API's answers: the JSON of functions/app/soko/analytics/models.py (dates are
 * "YYYY-MM-DD", periods East Africa Time, money integer UGX, kilograms numbers). */
export type Period = "day" | "week" | "month";
export const PERIODS: Period[] = ["day", "week", "month"];

export interface OrderCounts {
  placed: number;
  confirmed: number;
  completed: number;
  cancelled: number;
  rejected: number;
  expired: number;
  disputed: number;
}

export interface PaymentCounts {
  succeeded: number;
  failed: number;
  expired: number;
}

/** Ratios in [0, 1], or null when their denominator is zero in the period. */
export interface Rates {
  fulfilment: number | null;
  dispute: number | null;
  payment_success: number | null;
}

export interface CropFigure {
  crop: string;
  orders: number;
  kg: number;
  gmv_ugx: number;
}

export interface DistrictFigure {
  district: string;
  orders: number;
  gmv_ugx: number;
}

export interface CoverageGapFigure {
  district: string;
  crop: string | null;
  searches: number;
}

export interface QueueFigure {
  name: string;
  visible: number;
  in_flight: number;
  dead_letters: number;
}

export interface SeriesPoint {
  key: string;
  orders_placed: number;
  orders_completed: number;
  gmv_ugx: number;
}

export interface Metrics {
  period: Period;
  key: string;
  starts_on: string;
  ends_on: string;
  orders: OrderCounts;
  payments: PaymentCounts;
  gmv_ugx: number;
  completed_value_ugx: number;
  new_users: number;
  active_farmers: number;
  active_buyers: number;
  rates: Rates;
  top_crops: CropFigure[];
  top_districts: DistrictFigure[];
  coverage_gaps: CoverageGapFigure[];
  queues: QueueFigure[];
  series: SeriesPoint[];
  as_of: string;
}

export interface MonthCropSales {
  month: string;
  crop: string;
  orders: number;
  kg: number;
  revenue_ugx: number;
  average_price_ugx: number;
  market_price_ugx: number | null;
  forecast_price_ugx: number | null;
}

export interface BuyerFigures {
  total: number;
  repeat: number;
}

export interface RatingMonth {
  month: string;
  count: number;
  average: number;
}

export interface FarmerAnalytics {
  farmer_id: string;
  market: string | null;
  totals?: CropFigure | null;
  months: MonthCropSales[];
  buyers: BuyerFigures;
  ratings: RatingMonth[];
}

export interface MarketWeek {
  week: string;
  orders: number;
  kg: number;
  median_price_ugx: number | null;
  wfp_price_ugx: number | null;
}

export interface MarketIntelligence {
  crop: string;
  district: string | null;
  market: string | null;
  weeks: MarketWeek[];
}

export type ReportKind = "sales" | "payouts" | "market_prices";
export const REPORT_KINDS: ReportKind[] = ["sales", "payouts", "market_prices"];
export type ReportFormat = "csv" | "pdf";
export type ReportStatus = "queued" | "running" | "ready" | "failed";

export interface Report {
  id: string;
  owner: string;
  kind: ReportKind;
  format: ReportFormat;
  from_date: string;
  to_date: string;
  crop?: string | null;
  district?: string | null;
  status: ReportStatus;
  created_at: string;
  ready_at?: string | null;
  rows?: number | null;
  total_ugx?: number | null;
  download_url?: string | null;
  error?: string | null;
}

export interface ReportPage {
  items: Report[];
  next_cursor: string | null;
}
