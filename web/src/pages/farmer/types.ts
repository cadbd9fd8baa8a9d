/** The API's shapes these pages read (docs/openapi.json: Listing, Order, Earnings, Match, ...). */

export type { Listing, Page } from "../../lib/types";

export type OrderStatus =
  | "pending"
  | "confirmed"
  | "rejected"
  | "cancelled"
  | "dispatched"
  | "delivered"
  | "completed"
  | "disputed"
  | "resolved"
  | "expired";

export interface Order {
  id: string;
  listing_id: string;
  buyer_id: string;
  farmer_id: string;
  title?: string;
  crop: string;
  district: string;
  delivery_district?: string | null;
  quantity_kg: string;
  price_per_kg: number;
  total_ugx: number;
  status: OrderStatus;
  payment_status: string;
  created_at: string;
  updated_at: string;
  delivery_pin_locked?: boolean;
}

/** An order's payment is in escrow: the API's `payment_status` for a paid order. */
export const PAID = "paid (escrow)";

export interface MonthEarnings {
  month: string;
  paid_in_ugx: number;
  refunded_ugx: number;
  gross_ugx: number;
  fees_ugx: number;
  net_ugx: number;
  paid_out_ugx: number;
  held_in_escrow_ugx: number;
  due_ugx: number;
}

export interface Earnings {
  farmer_id: string;
  currency: string;
  from_month: string;
  to_month: string;
  months: MonthEarnings[];
  held_in_escrow_ugx: number;
  due_ugx: number;
  paid_out_ugx: number;
  fees_ugx: number;
  net_ugx: number;
}

export interface Match {
  id: string;
  full_name: string | null;
  role: string;
  district: string | null;
  crops: string[];
  rating?: number | null;
  rating_count?: number | null;
  matchScore: number;
  explanation: string;
  reasons: string[];
}

export interface Recommendations {
  user_id: string;
  direction: string;
  items: Match[];
  cached: boolean;
}

export interface PriceCrop {
  id: string;
  name: string;
  luganda: string;
}

export interface Market {
  id: string;
  name: string;
  district: string;
  has_real_data: boolean;
}

export interface WeeklyPrice {
  week_start: string;
  price: number;
  lower: number;
  upper: number;
}

export interface Forecast {
  market: string;
  crop: string;
  predictions: WeeklyPrice[];
  source: "model" | "seasonal_fallback";
  model_version?: string | null;
  trained_at?: string | null;
  /** The newest market price behind the forecast, its age in days (East Africa Time) and whether
   * it is past the deployment's `stale_after_days`: then it is old data, not a current forecast. */
  data_through?: string | null;
  data_age_days?: number | null;
  stale?: boolean;
  stale_after_days?: number;
  stale_reason?: string | null;
  last_price?: number | null;
  last_price_day?: string | null;
}

export interface MarketOption {
  market: string;
  name: string;
  distance_km: number;
  price_per_kg: number;
  transport_per_kg: number;
  net_per_kg: number;
  net_total_ugx: number;
  price_source: string;
  observations: number;
  data_through?: string | null;
  data_age_days?: number | null;
  stale?: boolean;
}

export interface RouteAnswer {
  crop: string;
  tier: number;
  options: MarketOption[];
  suggestion: string;
}
