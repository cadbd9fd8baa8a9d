/** The API's shapes the coops pages read (functions/app/soko/coops/models.py: Coop, CoopDetail,
 * Member, Commitment, PooledListing, Allocation, MyCoops). Quantities are decimal strings
 * ("250.000"), money integer UGX, fee_percent a decimal string ("2" or "2.50"), times ISO UTC. */

export type CoopRole = "member" | "manager";
export type AllocationStatus = "proposed" | "confirmed" | "released" | "paid";

export interface Coop {
  id: string;
  name: string;
  district: string;
  crops: string[];
  fee_percent: string | number;
  member_count: number;
  my_role?: CoopRole | null;
  created_at: string;
}

export interface Member {
  user_id: string;
  name?: string | null;
  role: CoopRole;
  joined_at: string;
}

export interface Commitment {
  id: string;
  coop_id: string;
  member_id: string;
  crop: string;
  quantity_kg: string;
  allocated_kg: string;
  listing_id?: string | null;
  created_at: string;
}

export interface PooledListing {
  listing_id: string;
  coop_id: string;
  crop: string;
  quantity_kg: string;
  commitments: number;
  status: "publishing" | "live" | "closed";
  created_at: string;
}

export interface Allocation {
  order_id: string;
  listing_id: string;
  coop_id: string;
  member_id: string;
  crop: string;
  quantity_kg: string;
  status: AllocationStatus;
  confirmed_by_member: boolean;
  share_ugx?: number | null;
  created_at: string;
}

export interface CoopDetail extends Coop {
  members: Member[];
  commitments: Commitment[];
  pools: PooledListing[];
  allocations: Allocation[];
}

export interface MyCoops {
  coops: Coop[];
  commitments: Commitment[];
  allocations: Allocation[];
  earnings_ugx: number;
}
