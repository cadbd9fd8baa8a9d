/** The API's shapes the buyer's pages read (docs/openapi.json: Listing, Order, Payment, ...).
 * Quantities are decimal strings ("95.000"), money integer UGX, times ISO UTC. */

export type { Listing, Page } from "../../lib/types";

export interface AuditEntry {
  actor: string;
  from_status: string | null;
  to_status: string;
  at: string;
}

export interface DisputeView {
  id: string;
  reason: string;
  details: string;
  photos: string[];
  opened_at: string;
  status: "open" | "resolved";
  outcome?: "release" | "refund" | "split" | null;
  buyer_amount_ugx?: number | null;
  farmer_amount_ugx?: number | null;
  resolved_at?: string | null;
}

export interface MoneyTrail {
  order_id: string;
  payment_status: string;
  payment_id?: string | null;
  amount_ugx?: number;
  escrow?: string;
  paid_at?: string | null;
}

export interface Order {
  id: string;
  listing_id: string;
  buyer_id: string;
  farmer_id: string;
  crop: string;
  title: string;
  district: string;
  delivery_district?: string | null;
  quantity_kg: string;
  price_per_kg: number;
  total_ugx: number;
  status: string;
  payment_status: string;
  reviewed: boolean;
  created_at: string;
  updated_at: string;
  release_at?: string | null;
  dispute?: DisputeView | null;
  audit: AuditEntry[];
  money_trail?: MoneyTrail | null;
}

export interface Payment {
  payment_id: string;
  order_id: string;
  order_tracking_id: string;
  merchant_reference: string;
  redirect_url: string;
  status: "pending" | "completed" | "failed" | "reversed" | "disputed" | "expired";
  amount_ugx: number;
  currency: string;
  provider: string;
  created_at: string;
}

export interface PublicProfile {
  id: string;
  fullName?: string | null;
  role: string;
  district?: string | null;
  specialties: string[];
  rating?: number | null;
  rating_count: number;
}

export interface Match {
  id: string;
  full_name?: string | null;
  district?: string | null;
  crops: string[];
  rating?: number | null;
  rating_count?: number | null;
  active_listings?: number | null;
  fulfillment_tier?: "low" | "medium" | "high" | null;
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

export interface ImageUpload {
  url: string;
  fields: Record<string, string>;
  key: string;
  max_bytes: number;
  expires_in: number;
}

/** The order's `payment_status` once the buyer's money is held (soko.market.payments_bridge). */
export const PAID = "paid (escrow)";
/** Payment statuses after PAID: the money moved on (never "unpaid" again). */
export const PAID_OR_LATER = [PAID, "payout scheduled", "paid out to farmer"];
