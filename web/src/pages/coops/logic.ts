/** The coops pages' arithmetic and checks, pure (unit-tested): the pool by crop, allocations by
 * order, what a member may confirm, and the forms' bodies as the API takes them. Quantities are
 * summed in grams (the API's unit) so decimal kilograms never drift. */
import type { Allocation, Commitment } from "./types";

const grams = (kg: string | number | null | undefined) => Math.round(Number(kg ?? 0) * 1000) || 0;

export interface CropPool {
  crop: string;
  commitments: number;
  committed_kg: number;
  allocated_kg: number;
  /** committed but not yet in a pooled listing: what publishing would pool now */
  open_kg: number;
}

/** The coop's commitments summed by crop (in the order crops first appear). */
export function poolByCrop(commitments: Commitment[]): CropPool[] {
  const by = new Map<string, { n: number; c: number; a: number; o: number }>();
  for (const item of commitments) {
    const row = by.get(item.crop) ?? { n: 0, c: 0, a: 0, o: 0 };
    row.n += 1;
    row.c += grams(item.quantity_kg);
    row.a += grams(item.allocated_kg);
    if (!item.listing_id) row.o += grams(item.quantity_kg);
    by.set(item.crop, row);
  }
  return [...by.entries()].map(([crop, r]) => ({ crop, commitments: r.n, committed_kg: r.c / 1000, allocated_kg: r.a / 1000, open_kg: r.o / 1000 }));
}

export interface OrderAllocations {
  order_id: string;
  listing_id: string;
  crop: string;
  total_kg: number;
  items: Allocation[];
}

/** The allocations grouped by order, newest order first (each order's members as the API listed). */
export function allocationsByOrder(allocations: Allocation[]): OrderAllocations[] {
  const by = new Map<string, OrderAllocations & { newest: string }>();
  for (const a of allocations) {
    const row = by.get(a.order_id) ?? { order_id: a.order_id, listing_id: a.listing_id, crop: a.crop, total_kg: 0, items: [], newest: a.created_at };
    row.items.push(a);
    row.total_kg = (grams(row.total_kg) + grams(a.quantity_kg)) / 1000;
    if (a.created_at > row.newest) row.newest = a.created_at;
    by.set(a.order_id, row);
  }
  return [...by.values()].sort((x, y) => (x.newest < y.newest ? 1 : x.newest > y.newest ? -1 : 0)).map(({ newest: _n, ...rest }) => rest);
}

/** A member confirms an allocation they still have to supply (not released, not yet confirmed). */
export function canConfirm(a: Allocation, userId: string | null | undefined): boolean {
  return !!userId && a.member_id === userId && !a.confirmed_by_member && (a.status === "proposed" || a.status === "confirmed");
}

export interface CoopDraft {
  name: string;
  district: string;
  crops: string[];
  fee_percent: string;
}

/** The new coop's body, or the first problem (field and i18n key) the API would refuse it for. */
export function coopBody(d: CoopDraft): { body: Record<string, unknown> } | { field: keyof CoopDraft; key: string } {
  const name = d.name.trim();
  if (name.length < 3 || name.length > 80) return { field: "name", key: "coops.error.name" };
  if (!d.district.trim()) return { field: "district", key: "coops.error.district" };
  if (d.crops.length < 1 || d.crops.length > 10) return { field: "crops", key: "coops.error.crops" };
  const fee = d.fee_percent.trim();
  if (fee && (!/^\d{1,2}(\.\d{1,2})?$/.test(fee) || Number(fee) > 20)) return { field: "fee_percent", key: "coops.error.fee" };
  const body: Record<string, unknown> = { name, district: d.district.trim(), crops: d.crops };
  if (fee) body.fee_percent = fee;
  return { body };
}

/** "2.00" or 2 as "2%", "2.50" as "2.5%". */
export function feeText(fee: string | number): string {
  const n = Number(fee);
  return `${Number.isFinite(n) ? String(Math.round(n * 100) / 100) : fee}%`;
}

/** A Ugandan phone number as people type it ("0772 123456", "+256 772 123456"): digits and a
 * leading +, within the API's 9-16 characters. The API checks it is a registered farmer. */
export function phoneInput(value: string): string {
  return value.replace(/[\s-]/g, "");
}
