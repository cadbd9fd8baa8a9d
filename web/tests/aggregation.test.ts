import { describe, expect, it } from "vitest";
import { listingBody } from "../src/pages/farmer/ListingForm";
import { allocationsByOrder, canConfirm, coopBody, feeText, phoneInput, poolByCrop } from "../src/pages/coops/logic";
import type { Allocation, Commitment } from "../src/pages/coops/types";
import { canJoin, canLeave, checkStart, defaultDeadline, eatInputToIso, fillPercent, isoToEatInput, roomKg, savingUgx } from "../src/pages/groups/logic";
import { nextTier, sameTiers, tierDrafts, tierFor, tierPrice, tierProblem, tiersBody } from "../src/pages/groups/tiers";
import type { Group } from "../src/pages/groups/types";
import { missingLuganda, t } from "../src/lib/i18n";
import "../src/pages/coops/messages";
import "../src/pages/groups/messages";

// the API's shape: min_kg as a decimal string
const TIERS = [
  { min_kg: "1000.000", discount_percent: 5 },
  { min_kg: "5000.000", discount_percent: 10 },
];

describe("volume price tiers", () => {
  it("prices a tier half up in whole shillings, as soko.market.tiers.tier_price does", () => {
    expect(tierPrice(1250, null)).toBe(1250);
    expect(tierPrice(1250, TIERS[0])).toBe(1188); // 1187.5 -> 1188
    expect(tierPrice(1000, TIERS[1])).toBe(900);
    expect(tierPrice(999, { min_kg: "1", discount_percent: 3 })).toBe(969); // 969.03
    expect(tierPrice(1, { min_kg: "1", discount_percent: 50 })).toBe(1); // 0.5 -> 1
    expect(tierPrice(3, { min_kg: "1", discount_percent: 50 })).toBe(2); // 1.5 -> 2
  });
  it("finds the tier a quantity reaches and the next one", () => {
    expect(tierFor(TIERS, 999.999)).toBeNull();
    expect(tierFor(TIERS, 1000)).toBe(TIERS[0]);
    expect(tierFor(TIERS, 4999)).toBe(TIERS[0]);
    expect(tierFor(TIERS, 5000)).toBe(TIERS[1]);
    expect(tierFor([], 5000)).toBeNull();
    expect(tierFor(undefined, 5000)).toBeNull();
    expect(nextTier(TIERS, 10)).toBe(TIERS[0]);
    expect(nextTier(TIERS, 1000)).toBe(TIERS[1]);
    expect(nextTier(TIERS, 6000)).toBeNull();
  });
  it("says what is wrong with typed tiers before the API does", () => {
    expect(tierProblem([])).toBeNull();
    expect(tierProblem([{ min_kg: "1000", discount_percent: "5" }, { min_kg: "5000.5", discount_percent: "10" }])).toBeNull();
    expect(tierProblem([{ min_kg: "", discount_percent: "5" }])?.key).toBe("tiers.error.kg");
    expect(tierProblem([{ min_kg: "0", discount_percent: "5" }])?.key).toBe("tiers.error.kg");
    expect(tierProblem([{ min_kg: "1.2345", discount_percent: "5" }])?.key).toBe("tiers.error.kg");
    expect(tierProblem([{ min_kg: "100", discount_percent: "0" }])?.key).toBe("tiers.error.pct");
    expect(tierProblem([{ min_kg: "100", discount_percent: "51" }])?.key).toBe("tiers.error.pct");
    expect(tierProblem([{ min_kg: "100", discount_percent: "2.5" }])?.key).toBe("tiers.error.pct");
    expect(tierProblem([{ min_kg: "100", discount_percent: "5" }, { min_kg: "100", discount_percent: "10" }])).toEqual({ key: "tiers.error.order", vars: { n: 2 } });
    expect(tierProblem([{ min_kg: "100", discount_percent: "5" }, { min_kg: "200", discount_percent: "5" }])?.key).toBe("tiers.error.order");
    const six = Array.from({ length: 6 }, (_, i) => ({ min_kg: String((i + 1) * 100), discount_percent: String(i + 1) }));
    expect(tierProblem(six)?.key).toBe("tiers.error.many");
  });
  it("sends tiers as the API takes them and reads them back from the API's strings", () => {
    expect(tiersBody([{ min_kg: " 1000 ", discount_percent: "5" }])).toEqual([{ min_kg: "1000", discount_percent: 5 }]);
    expect(tierDrafts(TIERS)).toEqual([
      { min_kg: "1000", discount_percent: "5" },
      { min_kg: "5000", discount_percent: "10" },
    ]);
    expect(sameTiers(tierDrafts(TIERS), [{ min_kg: "1000.0", discount_percent: "5" }, { min_kg: "5000", discount_percent: "10" }])).toBe(true);
    expect(sameTiers(tierDrafts(TIERS), [{ min_kg: "1000", discount_percent: "5" }])).toBe(false);
  });
  it("puts tiers on a new listing only when there are some, and on an edit only when they changed", () => {
    const draft = { title: "Beans", crop: "yellow_beans", quantity_kg: "8000", price_per_kg: "3000", district: "Lira", description: "", harvest_date: "" };
    expect(listingBody({ ...draft, tiers: [] }, false)).not.toHaveProperty("price_tiers");
    expect(listingBody({ ...draft, tiers: [{ min_kg: "1000", discount_percent: "5" }] }, false).price_tiers).toEqual([{ min_kg: "1000", discount_percent: 5 }]);
    const original = tierDrafts(TIERS);
    expect(listingBody({ ...draft, tiers: original }, true, original)).not.toHaveProperty("price_tiers");
    expect(listingBody({ ...draft, tiers: [] }, true, original).price_tiers).toEqual([]); // [] clears them
    expect(listingBody({ ...draft, tiers: [original[0]] }, true, original).price_tiers).toEqual([{ min_kg: "1000", discount_percent: 5 }]);
  });
});

function group(over: Partial<Group> = {}): Group {
  return {
    id: "g1",
    listing_id: "l1",
    crop: "yellow_beans",
    title: "Beans from Lira",
    district: "Lira",
    farmer_id: "farmer",
    starter_id: "starter",
    target_kg: "2000.000",
    filled_kg: "1500.500",
    members: 3,
    deadline: "2026-12-05T15:00:00Z",
    status: "open",
    list_price_per_kg: 3000,
    tiers: TIERS,
    tier: TIERS[0],
    next_tier: TIERS[1],
    price_per_kg: 2850,
    mine: null,
    created_at: "2026-12-03T07:00:00Z",
    updated_at: "2026-12-03T07:00:00Z",
    ...over,
  };
}

describe("groups", () => {
  const now = new Date("2026-12-03T07:00:00Z");
  it("measures the fill and the room left in grams, as the API counts", () => {
    expect(fillPercent(group())).toBe(75);
    expect(fillPercent(group({ filled_kg: "2000.000" }))).toBe(100);
    expect(fillPercent(group({ target_kg: "0" }))).toBe(0);
    expect(roomKg(group())).toBe(499.5);
    expect(roomKg(group({ filled_kg: "0.1", target_kg: "0.3" }))).toBe(0.2); // no float drift
    expect(roomKg(group({ filled_kg: "2000" }))).toBe(0);
    expect(savingUgx(3000, TIERS[0], 100)).toBe(15_000);
  });
  it("reads the deadline typed as East Africa Time whatever the device's zone", () => {
    expect(eatInputToIso("2026-12-05T18:00")).toBe("2026-12-05T15:00:00.000Z");
    expect(eatInputToIso("05/12/2026")).toBeNull();
    expect(isoToEatInput(new Date("2026-12-31T22:30:00Z"))).toBe("2027-01-01T01:30");
    expect(defaultDeadline(now)).toBe("2026-12-06T18:00");
  });
  it("checks a new group as the API will: a target that reaches a tier within the stock, and a deadline 1 h to 30 days ahead", () => {
    const listing = { quantity_kg: "8000.000", price_tiers: TIERS };
    const ok = { target_kg: "2000", quantity_kg: "300", deadline: "2026-12-05T18:00" };
    expect(checkStart(ok, listing, now)).toEqual({ body: { target_kg: "2000", quantity_kg: "300", deadline: "2026-12-05T15:00:00.000Z" } });
    expect(checkStart({ ...ok, target_kg: "999" }, listing, now)).toMatchObject({ field: "target_kg", key: "groups.error.target_low", vars: { kg: "1,000 kg" } });
    expect(checkStart({ ...ok, target_kg: "9000" }, listing, now)).toMatchObject({ field: "target_kg", key: "groups.error.target_high", vars: { kg: "8,000 kg" } });
    expect(checkStart({ ...ok, target_kg: "" }, listing, now)).toMatchObject({ field: "target_kg", key: "groups.error.number" });
    expect(checkStart({ ...ok, quantity_kg: "2001" }, listing, now)).toMatchObject({ field: "quantity_kg", key: "groups.error.mine_high" });
    expect(checkStart({ ...ok, quantity_kg: "0" }, listing, now)).toMatchObject({ field: "quantity_kg" });
    expect(checkStart({ ...ok, deadline: "2026-12-03T10:30" }, listing, now)).toMatchObject({ field: "deadline" }); // 30 min ahead
    expect(checkStart({ ...ok, deadline: "2027-01-03T10:30" }, listing, now)).toMatchObject({ field: "deadline" }); // > 30 days
    expect(checkStart({ ...ok, deadline: "" }, listing, now)).toMatchObject({ field: "deadline" });
  });
  it("offers join and leave only when the API would take them", () => {
    expect(canJoin(group(), "buyer", now)).toBe(true);
    expect(canJoin(group(), "farmer", now)).toBe(false); // the listing's farmer: 403
    expect(canJoin(group(), null, now)).toBe(false);
    expect(canJoin(group({ mine: { quantity_kg: "10", joined_at: "x", status: "joined" } }), "buyer", now)).toBe(false);
    expect(canJoin(group({ status: "completed" }), "buyer", now)).toBe(false);
    expect(canJoin(group({ filled_kg: "2000" }), "buyer", now)).toBe(false);
    expect(canJoin(group({ deadline: "2026-12-03T06:59:00Z" }), "buyer", now)).toBe(false);
    const member = group({ mine: { quantity_kg: "10", joined_at: "x", status: "joined" } });
    expect(canLeave(member, now)).toBe(true);
    expect(canLeave(group(), now)).toBe(false);
    expect(canLeave({ ...member, status: "completed" }, now)).toBe(false);
    expect(canLeave({ ...member, deadline: "2026-12-03T06:00:00Z" }, now)).toBe(false);
  });
});

function commitment(over: Partial<Commitment>): Commitment {
  return { id: "c", coop_id: "k", member_id: "m", crop: "maize_grain", quantity_kg: "0", allocated_kg: "0", listing_id: null, created_at: "2026-12-01T08:00:00Z", ...over };
}

function allocation(over: Partial<Allocation>): Allocation {
  return { order_id: "o1", listing_id: "l", coop_id: "k", member_id: "m", crop: "maize_grain", quantity_kg: "0", status: "proposed", confirmed_by_member: false, share_ugx: null, created_at: "2026-12-02T08:00:00Z", ...over };
}

describe("co-ops", () => {
  it("sums the pool by crop in grams, with what is not yet listed", () => {
    const pool = poolByCrop([
      commitment({ id: "1", quantity_kg: "400.100", allocated_kg: "100.000", listing_id: "L" }),
      commitment({ id: "2", quantity_kg: "0.200", crop: "yellow_beans" }),
      commitment({ id: "3", quantity_kg: "0.100" }),
      commitment({ id: "4", quantity_kg: "0.200" }),
    ]);
    expect(pool).toEqual([
      { crop: "maize_grain", commitments: 3, committed_kg: 400.4, allocated_kg: 100, open_kg: 0.3 },
      { crop: "yellow_beans", commitments: 1, committed_kg: 0.2, allocated_kg: 0, open_kg: 0.2 },
    ]);
  });
  it("groups allocations by order, newest first, with each order's total", () => {
    const orders = allocationsByOrder([
      allocation({ order_id: "old", member_id: "a", quantity_kg: "100.500" }),
      allocation({ order_id: "new", member_id: "a", quantity_kg: "10", created_at: "2026-12-03T08:00:00Z" }),
      allocation({ order_id: "old", member_id: "b", quantity_kg: "99.500" }),
    ]);
    expect(orders.map((o) => [o.order_id, o.total_kg, o.items.map((i) => i.member_id)])).toEqual([
      ["new", 10, ["a"]],
      ["old", 200, ["a", "b"]],
    ]);
  });
  it("lets a member confirm only their own allocation still to supply", () => {
    expect(canConfirm(allocation({ member_id: "me" }), "me")).toBe(true);
    expect(canConfirm(allocation({ member_id: "me", status: "confirmed" }), "me")).toBe(true);
    expect(canConfirm(allocation({ member_id: "me", confirmed_by_member: true }), "me")).toBe(false);
    expect(canConfirm(allocation({ member_id: "me", status: "released" }), "me")).toBe(false);
    expect(canConfirm(allocation({ member_id: "me", status: "paid" }), "me")).toBe(false);
    expect(canConfirm(allocation({ member_id: "other" }), "me")).toBe(false);
    expect(canConfirm(allocation({ member_id: "me" }), null)).toBe(false);
  });
  it("checks a new co-op as the API will", () => {
    const ok = { name: " Lira Beans Growers ", district: "Lira", crops: ["yellow_beans"], fee_percent: "2.5" };
    expect(coopBody(ok)).toEqual({ body: { name: "Lira Beans Growers", district: "Lira", crops: ["yellow_beans"], fee_percent: "2.5" } });
    expect(coopBody({ ...ok, fee_percent: "" })).toEqual({ body: { name: "Lira Beans Growers", district: "Lira", crops: ["yellow_beans"] } });
    expect(coopBody({ ...ok, name: "Li" })).toMatchObject({ field: "name" });
    expect(coopBody({ ...ok, district: "" })).toMatchObject({ field: "district" });
    expect(coopBody({ ...ok, crops: [] })).toMatchObject({ field: "crops" });
    expect(coopBody({ ...ok, crops: Array.from({ length: 11 }, (_, i) => `c${i}`) })).toMatchObject({ field: "crops" });
    expect(coopBody({ ...ok, fee_percent: "20.5" })).toMatchObject({ field: "fee_percent" });
    expect(coopBody({ ...ok, fee_percent: "2.555" })).toMatchObject({ field: "fee_percent" });
    expect(feeText("2.00")).toBe("2%");
    expect(feeText("2.50")).toBe("2.5%");
    expect(phoneInput(" 0772 123-456 ")).toBe("0772123456");
  });
});

describe("the words", () => {
  it("has every groups, tiers and co-ops text in Luganda too", () => {
    expect(missingLuganda()).toEqual([]);
    for (const key of ["nav.groups", "nav.coops", "tiers.title", "groups.together.title", "coops.title"]) {
      expect(t(key, {}, "lg")).not.toBe(t(key, {}, "en"));
    }
  });
  it("names every group and allocation status in both languages", () => {
    for (const lang of ["en", "lg"] as const) {
      for (const s of ["open", "completed", "expired", "failed"]) {
        expect(t(`groups.status.${s}`, {}, lang)).not.toBe(`groups.status.${s}`);
        expect(t(`groups.status.${s}.about`, {}, lang)).not.toBe(`groups.status.${s}.about`);
      }
      for (const s of ["proposed", "confirmed", "released", "paid"]) expect(t(`coops.alloc.status.${s}`, {}, lang)).not.toContain("coops.");
      for (const s of ["publishing", "live", "closed"]) expect(t(`coops.pool.status.${s}`, {}, lang)).not.toContain("coops.");
      for (const r of ["member", "manager"]) expect(t(`coops.role.${r}`, {}, lang)).not.toContain("coops.");
    }
  });
});
