/** The admin API's answers (docs/openapi.json), as the console uses them. */
export interface Paged<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Flag {
  id: string;
  order_id: string;
  buyer_id: string;
  reason: string;
  quantity_kg: string;
  usual_quantity_kg: string;
  created_at: string;
}

export interface DisputeSummary {
  id: string;
  order_id: string;
  buyer_id: string;
  farmer_id: string;
  crop: string | null;
  total_ugx: number;
  reason: string;
  photo_count: number;
  status: "open" | "resolved";
  opened_at: string;
  outcome: string | null;
  resolved_at: string | null;
}

export interface DisputeCase {
  id: string;
  order_id: string;
  listing_id: string | null;
  buyer_id: string;
  farmer_id: string;
  crop: string | null;
  total_ugx: number;
  reason: string;
  details: string;
  photos: { url: string }[];
  status: "open" | "resolved";
  opened_at: string;
  resolution: {
    outcome: "release" | "refund" | "split";
    buyer_amount_ugx: number;
    farmer_amount_ugx: number;
    reason: string;
    resolved_at: string;
    resolved_by: string;
  } | null;
  version: number;
}

export interface MoneyMovement {
  kind: string;
  at: string;
  amount_ugx: number;
  to_farmer_ugx: number;
  to_buyer_ugx: number;
  fee_ugx: number;
}

export interface Order {
  id: string;
  status: string;
  payment_status: string;
  total_ugx: number;
  quantity_kg: string;
  price_per_kg: number;
  title: string;
  audit: { actor: string; from_status: string | null; to_status: string; at: string }[];
  money_trail: {
    payment_id: string | null;
    payment_status: string;
    amount_ugx: number;
    escrow: string;
    paid_at: string | null;
    movements: MoneyMovement[];
  } | null;
}

export interface Profile {
  id: string;
  fullName: string | null;
  role: string;
  district: string | null;
  rating: number | null;
  rating_count: number;
  email?: string | null;
  phone?: string | null;
  status?: string;
}

export interface Mismatch {
  payment_id: string;
  order_id: string;
  kind: "amount_mismatch" | "state_mismatch" | "refund_refused";
  status: "open" | "resolved";
  ours: string;
  escrow: string;
  provider_state: string;
  note: string;
  first_at: string;
  last_at: string;
  seen: number;
  resolution: { action: string; reason: string; admin_id: string; at: string; outcome?: string } | null;
}

export type { Listing } from "../../lib/types";

export interface AuditEntry {
  event_id: string;
  source: string;
  admin_id: string;
  action: string;
  target_type: string;
  target_id: string;
  reason: string;
  at: string;
  details: Record<string, unknown>;
  recorded_at: string;
}

export interface QueueInfo {
  name: string;
  label: string;
  arn: string;
  messages: number;
  in_flight: number;
  dead_letters: { name: string; arn: string; messages: number; in_flight: number } | null;
}

export interface QueueList {
  items: QueueInfo[];
  dead_letters_total: number;
}

export interface TrainingRun {
  status: "NONE" | "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
  started_at: string | null;
  stopped_at: string | null;
  execution_id: string | null;
  pairs: number | null;
  trained: number | null;
  failed: number | null;
  failures: { market: string; crop: string; error: string }[];
  error: string | null;
}
