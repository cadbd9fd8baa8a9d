/** API shapes more than one area reads (docs/openapi.json's schemas of the same names). Quantities
 * are decimal strings ("95.000"), money integer UGX, times ISO UTC. */

export interface ListingModeration {
  taken_down: boolean;
  reason?: string | null;
  taken_down_at?: string | null;
  farmer_suspended: boolean;
}

export interface Listing {
  id: string;
  farmer_id: string;
  title: string;
  category: string;
  crop: string;
  crop_name: string;
  price_per_kg: number;
  quantity_kg: string;
  district: string;
  description?: string | null;
  harvest_date?: string | null;
  status: "active" | "hidden" | "deleted";
  images: string[];
  created_at: string;
  updated_at: string;
  /** present for the listing's farmer and admins */
  moderation?: ListingModeration | null;
}

/** A cursor-paged list (`next_cursor` null on the last page). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
