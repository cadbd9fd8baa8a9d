/** The groups pages' arithmetic, pure (unit-tested): the fill, the room left, the saving, and the
 * deadline typed in East Africa Time whatever the device's zone. */
import { kg } from "../../lib/format";
import { kgNumber, tierPrice, type PriceTier } from "./tiers";
import type { Group } from "./types";

const EAT_OFFSET_MS = 3 * 60 * 60 * 1000; // Africa/Kampala: UTC+3, no daylight saving
export const MIN_DEADLINE_MS = 60 * 60 * 1000;
export const MAX_DEADLINE_MS = 30 * 24 * 60 * 60 * 1000;

/** The fill as a whole percent of the target, 0..100. */
export function fillPercent(group: Pick<Group, "filled_kg" | "target_kg">): number {
  const target = kgNumber(group.target_kg);
  if (target <= 0) return 0;
  return Math.max(0, Math.min(100, Math.floor((kgNumber(group.filled_kg) / target) * 100)));
}

/** Kilograms still to fill (never negative; 3 decimals, as the API counts grams). */
export function roomKg(group: Pick<Group, "filled_kg" | "target_kg">): number {
  const grams = Math.round(kgNumber(group.target_kg) * 1000) - Math.round(kgNumber(group.filled_kg) * 1000);
  return Math.max(0, grams) / 1000;
}

/** Shillings saved on `kg` at `tier` against the list price. */
export function savingUgx(listPrice: number, tier: PriceTier | null | undefined, kg: number): number {
  return Math.round((listPrice - tierPrice(listPrice, tier)) * kg);
}

/** A `<input type="datetime-local">` value ("2026-12-05T18:00") read as East Africa Time. */
export function eatInputToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - EAT_OFFSET_MS;
  return new Date(utc).toISOString();
}

/** The input's value for a moment, in East Africa Time. */
export function isoToEatInput(when: Date): string {
  const eat = new Date(when.getTime() + EAT_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${eat.getUTCFullYear()}-${pad(eat.getUTCMonth() + 1)}-${pad(eat.getUTCDate())}T${pad(eat.getUTCHours())}:${pad(eat.getUTCMinutes())}`;
}

/** The start form's default deadline: three days ahead, at 18:00 EAT. */
export function defaultDeadline(now: Date = new Date()): string {
  const ahead = new Date(now.getTime() + 3 * 24 * 60 * 60 * 1000);
  return `${isoToEatInput(ahead).slice(0, 10)}T18:00`;
}

export interface StartDraft {
  target_kg: string;
  quantity_kg: string;
  deadline: string;
}

/** What the start form would send, or the first problem (an i18n key with its variables) the API
 * would refuse it for: said beside the field at once. */
export function checkStart(
  draft: StartDraft,
  listing: { quantity_kg: string; price_tiers?: PriceTier[] | null },
  now: Date = new Date(),
): { body: { target_kg: string; quantity_kg: string; deadline: string } } | { field: keyof StartDraft; key: string; vars?: Record<string, string | number> } {
  const tiers = listing.price_tiers ?? [];
  const lowest = tiers.length ? kgNumber(tiers[0].min_kg) : 0;
  const stock = kgNumber(listing.quantity_kg);
  const target = Number(draft.target_kg);
  const mine = Number(draft.quantity_kg);
  if (!draft.target_kg.trim() || !Number.isFinite(target) || target <= 0) return { field: "target_kg", key: "groups.error.number" };
  if (target < lowest) return { field: "target_kg", key: "groups.error.target_low", vars: { kg: kg(lowest) } };
  if (target > stock) return { field: "target_kg", key: "groups.error.target_high", vars: { kg: kg(stock) } };
  if (!draft.quantity_kg.trim() || !Number.isFinite(mine) || mine <= 0) return { field: "quantity_kg", key: "groups.error.number" };
  if (mine > target) return { field: "quantity_kg", key: "groups.error.mine_high" };
  const iso = eatInputToIso(draft.deadline);
  if (!iso) return { field: "deadline", key: "groups.error.deadline" };
  const ahead = new Date(iso).getTime() - now.getTime();
  if (ahead < MIN_DEADLINE_MS || ahead > MAX_DEADLINE_MS) return { field: "deadline", key: "groups.error.deadline" };
  return { body: { target_kg: draft.target_kg.trim(), quantity_kg: draft.quantity_kg.trim(), deadline: iso } };
}

/** Whether the caller may still leave: a member, the group open, before its deadline. */
export function canLeave(group: Group, now: Date = new Date()): boolean {
  return group.status === "open" && group.mine?.status === "joined" && new Date(group.deadline).getTime() > now.getTime();
}

/** Whether the caller may join: the group open and before its deadline, not a member yet, not the
 * listing's farmer, and room left. */
export function canJoin(group: Group, userId: string | null | undefined, now: Date = new Date()): boolean {
  if (!userId || userId === group.farmer_id) return false;
  if (group.mine && group.mine.status !== "left") return false;
  return group.status === "open" && new Date(group.deadline).getTime() > now.getTime() && roomKg(group) > 0;
}
