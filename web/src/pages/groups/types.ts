/** The API's shapes the groups pages read (functions/app/soko/groups/models.py: Group, GroupPage,
 * Recommendation(s)). Quantities are decimal strings ("600.000"), money integer UGX, times ISO UTC. */
import type { Listing } from "../../lib/types";
import type { PriceTier } from "./tiers";

export type GroupStatus = "open" | "completed" | "expired" | "failed";
export type PartStatus = "joined" | "left" | "ordered" | "paid" | "dropped";

export interface MyPart {
  quantity_kg: string;
  joined_at: string;
  order_id?: string | null;
  status: PartStatus;
}

export interface Group {
  id: string;
  listing_id: string;
  crop: string;
  title: string;
  district: string;
  farmer_id: string;
  starter_id: string;
  target_kg: string;
  filled_kg: string;
  members: number;
  deadline: string;
  status: GroupStatus;
  list_price_per_kg: number;
  tiers: PriceTier[];
  tier: PriceTier | null;
  next_tier?: PriceTier | null;
  price_per_kg: number;
  pay_by?: string | null;
  mine?: MyPart | null;
  created_at: string;
  updated_at: string;
}

export interface GroupPage {
  items: Group[];
  next_cursor: string | null;
}

export interface Recommendation {
  action: "join" | "start";
  group_id?: string | null;
  listing_id: string;
  crop: string;
  district: string;
  suggested_kg: string;
  tier: PriceTier | null;
  saving_percent: number;
  peers: number;
  explanation: string;
  score: number;
}

export interface Recommendations {
  items: Recommendation[];
  cluster?: string | null;
  model_version?: string | null;
}

/** A listing as the market shows it since issue 18: with its volume tiers and, when pooled, its coop. */
export type TieredListing = Listing & { price_tiers?: PriceTier[] | null; coop_id?: string | null };

/** The most members a group takes (soko.groups.models.MAX_MEMBERS). */
export const MAX_MEMBERS = 40;
