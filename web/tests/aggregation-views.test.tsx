import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { me } from "../src/lib/auth";
import { catalogue } from "../src/lib/catalogue";
import { isoToEatInput } from "../src/pages/groups/logic";
import { setLang } from "../src/lib/i18n";
import "../src/i18n/common";
import type { CoopDetail, MyCoops } from "../src/pages/coops/types";
import type { Group, Recommendations, TieredListing } from "../src/pages/groups/types";

const { default: GroupView } = await import("../src/pages/groups/GroupView");
const { default: Groups } = await import("../src/pages/groups/Groups");
const { BuyTogether } = await import("../src/pages/groups/BuyTogether");
const { TierTable } = await import("../src/pages/groups/parts");
const { default: Coops } = await import("../src/pages/coops/Coops");
const { default: CoopPage } = await import("../src/pages/coops/CoopPage");
const { default: ListingPage } = await import("../src/pages/buyer/ListingPage");

const TIERS = [
  { min_kg: "1000.000", discount_percent: 5 },
  { min_kg: "5000.000", discount_percent: 10 },
];

const GROUP: Group = {
  id: "G1",
  listing_id: "L1",
  crop: "yellow_beans",
  title: "Beans from Lira",
  district: "Lira",
  farmer_id: "F1",
  starter_id: "B9",
  target_kg: "2000.000",
  filled_kg: "1500.000",
  members: 3,
  deadline: "2030-12-05T15:00:00Z",
  status: "open",
  list_price_per_kg: 3000,
  tiers: TIERS,
  tier: TIERS[0],
  next_tier: TIERS[1],
  price_per_kg: 2850,
  mine: null,
  created_at: "2026-12-03T07:00:00Z",
  updated_at: "2026-12-03T07:00:00Z",
};

const LISTING: TieredListing = {
  id: "L1",
  farmer_id: "F1",
  title: "Beans from Lira",
  category: "legumes",
  crop: "yellow_beans",
  crop_name: "Beans",
  price_per_kg: 3000,
  quantity_kg: "8000.000",
  district: "Lira",
  status: "active",
  images: [],
  created_at: "2026-12-01T07:00:00Z",
  updated_at: "2026-12-01T07:00:00Z",
  price_tiers: TIERS,
};

type Call = { method: string; path: string; body: unknown; headers: Record<string, string> };
let calls: Call[] = [];
let root: HTMLDivElement;

/** A fake API: `routes["GET /groups/G1"] = body` (or a function of the call, or [status, body]). */
function serve(routes: Record<string, unknown>) {
  calls = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const u = new URL(input, "http://soko.test");
      const method = init.method ?? "GET";
      const call = { method, path: u.pathname + u.search, body: init.body ? JSON.parse(String(init.body)) : undefined, headers: (init.headers ?? {}) as Record<string, string> };
      calls.push(call);
      const found = routes[`${method} ${u.pathname + u.search}`] ?? routes[`${method} ${u.pathname}`];
      if (found === undefined) return new Response(JSON.stringify({ error: { code: "NOT_FOUND", message: "No such route" } }), { status: 404 });
      const answer = typeof found === "function" ? (found as (c: Call) => unknown)(call) : found;
      const [status, body] = Array.isArray(answer) && typeof answer[0] === "number" ? (answer as [number, unknown]) : [200, answer];
      return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    }),
  );
}

async function flush() {
  for (let i = 0; i < 5; i++) await act(async () => void (await new Promise((r) => setTimeout(r, 0))));
}

function button(name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll("button")].find((b) => b.textContent === name || b.getAttribute("aria-label") === name);
  if (!found) throw new Error(`no button ${name}: ${[...root.querySelectorAll("button")].map((b) => b.textContent)}`);
  return found;
}

function field(label: string): HTMLInputElement {
  const l = [...root.querySelectorAll("label")].find((x) => x.textContent === label);
  if (!l) throw new Error(`no field ${label}`);
  return (l.control ?? root.querySelector(`#${CSS.escape(l.htmlFor)}`)) as HTMLInputElement;
}

function type(label: string, value: string) {
  const input = field(label);
  act(() => {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  setLang("en");
  me.value = { id: "B1", role: "buyer" };
  catalogue.value = {
    crops: [
      { id: "yellow_beans", name: "Beans", luganda: "Ebijanjaalo", category: "legumes" },
      { id: "maize_grain", name: "Maize (grain)", luganda: "Kasooli", category: "grains" },
    ],
    districts: [{ name: "Gulu", lat: 2.77, lon: 32.3 }, { name: "Lira", lat: 2.25, lon: 32.9 }],
  };
});
afterEach(() => {
  render(null, root);
  root.remove();
  me.value = null;
  vi.unstubAllGlobals();
});

describe("the tier table", () => {
  it("lists the list price and each tier's price, marking the tier a fill reaches", () => {
    act(() => render(<TierTable price={3000} tiers={TIERS} reachedKg={1500} />, root));
    const rows = [...root.querySelectorAll("tbody tr")].map((r) => [...r.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ["Any quantity", "–", "UGX 3,000/kg"],
      ["1,000 kg or more", "5% off", "UGX 2,850/kg"],
      ["5,000 kg or more", "10% off", "UGX 2,700/kg"],
    ]);
    expect(root.querySelector(".tier-reached th")?.textContent).toBe("1,000 kg or more");
  });
});

describe("a group's page", () => {
  it("shows the fill, the tier and what the next needs, and joins with a quantity", async () => {
    const joined = { ...GROUP, filled_kg: "1750.000", members: 4, mine: { quantity_kg: "250.000", joined_at: "2026-12-03T08:00:00Z", status: "joined" } };
    serve({ "GET /groups/G1": GROUP, "POST /groups/G1/join": joined });
    act(() => render(<GroupView id="G1" />, root));
    await flush();
    expect(root.querySelector("h1")?.textContent).toBe("Beans group in Lira");
    expect(root.querySelector("progress")?.getAttribute("value")).toBe("75");
    expect(root.querySelector("progress")?.getAttribute("aria-valuetext")).toBe("1,500 kg of 2,000 kg (75%)");
    expect(root.textContent).toContain("Price now: 5% off, UGX 2,850/kg.");
    expect(root.textContent).toContain("3,500 kg more for 10% off.");
    expect(root.textContent).toContain("5 Dec 2030, 18:00 EAT");
    expect(root.textContent).toContain("3 of at most 40");
    type("Your quantity (kg)", "250");
    await act(async () => button("Join the group").click());
    await flush();
    expect(calls.at(-1)).toMatchObject({ method: "POST", path: "/groups/G1/join", body: { quantity_kg: "250" } });
    expect(root.textContent).toContain("250 kg, joined 3 Dec 2026, 11:00 EAT");
    expect(root.querySelector("progress")?.getAttribute("value")).toBe("87");
    expect([...root.querySelectorAll("button")].map((b) => b.textContent)).toContain("Leave the group");
  });
  it("shows the API's refusal of a join as it says it", async () => {
    serve({ "GET /groups/G1": GROUP, "POST /groups/G1/join": [409, { error: { code: "CONFLICT", message: "Only 500 kg left in this group." } }] });
    act(() => render(<GroupView id="G1" />, root));
    await flush();
    type("Your quantity (kg)", "400"); // within the room shown; someone else took it meanwhile
    await act(async () => button("Join the group").click());
    await flush();
    expect(root.querySelector("[role=alert]")?.textContent).toBe("Only 500 kg left in this group.");
  });
  it("once completed, shows the member's order with the pay link and the deadline to pay", async () => {
    const done = { ...GROUP, status: "completed", filled_kg: "2000.000", pay_by: "2030-12-06T15:00:00Z", mine: { quantity_kg: "250.000", joined_at: "2026-12-03T08:00:00Z", order_id: "O7", status: "ordered" } };
    serve({ "GET /groups/G1": done });
    act(() => render(<GroupView id="G1" />, root));
    await flush();
    expect(root.textContent).toContain("250 kg at UGX 2,850/kg = UGX 712,500");
    expect(root.textContent).toContain("Pay by 6 Dec 2030, 18:00 EAT");
    const pay = [...root.querySelectorAll("a")].find((a) => a.textContent === "Pay for my order");
    expect(pay?.getAttribute("href")).toContain("/orders/O7");
    expect(root.textContent).not.toContain("Join the group");
    expect(root.textContent).not.toContain("Leave the group");
  });
  it("speaks Luganda", async () => {
    serve({ "GET /groups/G1": GROUP });
    setLang("lg");
    act(() => render(<GroupView id="G1" />, root));
    await flush();
    expect(root.textContent).toContain("Yegatta ku kibinja");
    expect(root.textContent).toContain("Bbeeyi kati: 5% wansi");
    setLang("en");
  });
});

describe("my groups and the recommended ones", () => {
  it("lists the buyer's groups and each recommendation with its explanation", async () => {
    const recs: Recommendations = {
      cluster: "weekly beans traders",
      items: [
        { action: "join", group_id: "G1", listing_id: "L1", crop: "yellow_beans", district: "Lira", suggested_kg: "250.000", tier: TIERS[0], saving_percent: 5, peers: 4, explanation: "4 traders near Lira buy beans every week; together you reach the 1 t tier and save 5%", score: 0.9 },
        { action: "start", group_id: null, listing_id: "L2", crop: "maize_grain", district: "Gulu", suggested_kg: "500.000", tier: null, saving_percent: 0, peers: 2, explanation: "Start one", score: 0.5 },
      ],
    };
    serve({ "GET /groups/mine": { items: [{ ...GROUP, mine: { quantity_kg: "300.000", joined_at: "2026-12-03T08:00:00Z", status: "joined" } }], next_cursor: null }, "GET /groups/recommended": recs });
    act(() => render(<Groups />, root));
    await flush();
    expect(root.querySelector("h1")?.textContent).toBe("Buying groups");
    const mine = root.querySelector("ul[aria-label='My groups']")!;
    expect(mine.textContent).toContain("You are in with 300 kg");
    expect(mine.querySelector("a")?.getAttribute("href")).toContain("/groups/G1");
    const rec = root.querySelector("ul[aria-label='Recommended for you']")!;
    expect(rec.textContent).toContain("4 traders near Lira buy beans every week; together you reach the 1 t tier and save 5%");
    expect(rec.textContent).toContain("Save 5%");
    expect([...rec.querySelectorAll("a")].map((a) => a.getAttribute("href"))).toEqual(["#/groups/G1", "#/listings/L2"].map((h) => expect.stringContaining(h.slice(1))) as unknown as string[]);
    expect(root.textContent).toContain("Traders like you: weekly beans traders");
  });
});

describe("buy together on a listing", () => {
  it("shows the open groups and starts a group with a deadline read in EAT", async () => {
    serve({ "GET /groups?listing_id=L1": { items: [GROUP], next_cursor: null }, "POST /groups": { ...GROUP, id: "G2" } });
    act(() => render(<BuyTogether listing={LISTING} />, root));
    await flush();
    expect(root.querySelector("ul[aria-label='Open groups']")?.textContent).toContain("1,500 kg of 2,000 kg (75%)");
    expect(field("Group target (kg)").value).toBe("1000");
    type("Group target (kg)", "900");
    type("Your own quantity (kg)", "100");
    await act(async () => button("Start the group").click());
    expect(root.textContent).toContain("The target must reach the first volume price: at least 1,000 kg.");
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);
    type("Group target (kg)", "2000");
    const inTwoDays = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    inTwoDays.setUTCSeconds(0, 0);
    type("Deadline (East Africa Time)", isoToEatInput(inTwoDays));
    await act(async () => button("Start the group").click());
    await flush();
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.path).toBe("/groups");
    expect(post.body).toEqual({ listing_id: "L1", target_kg: "2000", quantity_kg: "100", deadline: inTwoDays.toISOString() });
    expect(post.headers["Idempotency-Key"]).toBeTruthy();
  });
  it("lets the listing's farmer see the groups but not join or start one", async () => {
    me.value = { id: "F1", role: "farmer" };
    serve({ "GET /groups?listing_id=L1": { items: [GROUP], next_cursor: null } });
    act(() => render(<BuyTogether listing={LISTING} />, root));
    await flush();
    expect(root.textContent).toContain("Only buyers can join or start a group.");
    expect(root.querySelector("form")).toBeNull();
  });
});

describe("the listing page with tiers", () => {
  it("shows the tier table and prices an order at the tier its quantity reaches", async () => {
    serve({ "GET /listings/L1": LISTING, "GET /users/F1": { id: "F1", role: "farmer", specialties: [], rating_count: 0 }, "GET /groups?listing_id=L1": { items: [], next_cursor: null } });
    act(() => render(<ListingPage id="L1" />, root));
    await flush();
    expect(root.querySelector("section.tiers h2")?.textContent).toBe("Volume prices");
    type("Quantity (kg)", "100");
    expect(root.textContent).toContain("Total: UGX 300,000");
    type("Quantity (kg)", "1000");
    expect(root.textContent).toContain("At 1,000 kg or more you pay UGX 2,850 per kg (5% off). Total: UGX 2,850,000");
    expect(root.querySelector("section.together h2")?.textContent).toBe("Buy together");
  });
});

const COOP: CoopDetail = {
  id: "K1",
  name: "Lira Beans Growers",
  district: "Lira",
  crops: ["yellow_beans", "maize_grain"],
  fee_percent: "2.00",
  member_count: 2,
  my_role: "manager",
  created_at: "2026-12-01T07:00:00Z",
  members: [
    { user_id: "M1", name: "Akello Grace", role: "manager", joined_at: "2026-12-01T07:00:00Z" },
    { user_id: "M2", name: "Okello John", role: "member", joined_at: "2026-12-01T08:00:00Z" },
  ],
  commitments: [
    { id: "C1", coop_id: "K1", member_id: "M1", crop: "yellow_beans", quantity_kg: "400.000", allocated_kg: "0.000", listing_id: null, created_at: "2026-12-01T09:00:00Z" },
    { id: "C2", coop_id: "K1", member_id: "M2", crop: "yellow_beans", quantity_kg: "600.000", allocated_kg: "0.000", listing_id: null, created_at: "2026-12-01T10:00:00Z" },
  ],
  pools: [],
  allocations: [
    { order_id: "ORDER123456", listing_id: "P1", coop_id: "K1", member_id: "M2", crop: "yellow_beans", quantity_kg: "60.000", status: "proposed", confirmed_by_member: false, share_ugx: null, created_at: "2026-12-02T10:00:00Z" },
  ],
};

describe("a co-op's page", () => {
  it("shows a manager the members, the pool, and publishes a pooled listing with tiers", async () => {
    me.value = { id: "M1", role: "farmer" };
    serve({ "GET /coops/K1": COOP, "POST /coops/K1/listings": [202, { listing_id: "P9", coop_id: "K1", crop: "yellow_beans", quantity_kg: "1000.000", commitments: 2, status: "publishing", created_at: "2026-12-03T08:00:00Z" }], "POST /coops/K1/members": [201, { user_id: "M3", name: "Nakato Sarah", role: "member", joined_at: "2026-12-03T08:00:00Z" }] });
    act(() => render(<CoopPage id="K1" />, root));
    await flush();
    expect(root.querySelector("h1")?.textContent).toBe("Lira Beans Growers");
    expect(root.querySelector("ul[aria-label='Members']")?.textContent).toContain("Okello John · Member");
    const byCrop = [...root.querySelectorAll("table")].find((tb) => tb.querySelector("caption")?.textContent === "Commitments by crop")!;
    expect([...byCrop.querySelectorAll("tbody td")].map((c) => c.textContent)).toEqual(["2", "1,000 kg", "0 kg", "1,000 kg"]);
    expect(root.textContent).toContain("Order 123456: 60 kg of Beans");
    expect(root.textContent).toContain("1,000 kg of Beans committed and not yet listed.");
    // add a member by phone
    type("Phone number", "0772 123 456");
    await act(async () => button("Add").click());
    await flush();
    expect(calls.find((c) => c.path === "/coops/K1/members")?.body).toEqual({ phone: "0772123456", role: "member" });
    expect(root.textContent).toContain("Nakato Sarah is now a member.");
    // publish
    type("Listing title", "Lira beans, 1 t pooled");
    type("Price per kg (UGX)", "3000");
    await act(async () => button("Add a volume price").click());
    type("From (kg), step 1", "500");
    expect(root.textContent).toContain("Step 1: UGX 2,850/kg per kg");
    await act(async () => button("Publish the pooled listing").click());
    await flush();
    expect(calls.find((c) => c.path === "/coops/K1/listings")?.body).toEqual({ crop: "yellow_beans", title: "Lira beans, 1 t pooled", price_per_kg: 3000, price_tiers: [{ min_kg: "500", discount_percent: 5 }] });
    expect(root.textContent).toContain("Published: 1,000 kg from 2 commitments.");
  });
  it("shows a member their own part and confirms their allocation", async () => {
    me.value = { id: "M2", role: "farmer" };
    const asMember = { ...COOP, my_role: "member" as const, members: [], commitments: [COOP.commitments[1]] };
    serve({ "GET /coops/K1": asMember, "POST /coops/K1/allocations/ORDER123456/confirm": { ...COOP.allocations[0], confirmed_by_member: true } });
    act(() => render(<CoopPage id="K1" />, root));
    await flush();
    expect(root.textContent).not.toContain("Add a member");
    expect(root.textContent).not.toContain("Publish the pooled listing");
    await act(async () => button("Confirm 60 kg of Beans").click());
    await flush();
    expect(calls.some((c) => c.method === "POST" && c.path === "/coops/K1/allocations/ORDER123456/confirm")).toBe(true);
  });
});

describe("my co-ops", () => {
  it("shows the co-ops, earnings, commitments and allocations, and commits a quantity", async () => {
    me.value = { id: "M2", role: "farmer" };
    const mine: MyCoops = { coops: [{ ...COOP, my_role: "member" }], commitments: [COOP.commitments[1]], allocations: [{ ...COOP.allocations[0], status: "paid", confirmed_by_member: true, share_ugx: 171_234 }], earnings_ugx: 171_234 };
    serve({ "GET /coops/mine": mine, "POST /coops/K1/commitments": [201, { ...COOP.commitments[1], id: "C3", quantity_kg: "150.000" }] });
    act(() => render(<Coops />, root));
    await flush();
    expect(root.querySelector("ul[aria-label='Co-ops I belong to']")?.textContent).toContain("Lira Beans Growers");
    expect(root.querySelector(".earnings")?.textContent).toBe("UGX 171,234");
    expect(root.textContent).toContain("Your share: UGX 171,234");
    type("Quantity (kg)", "150");
    await act(async () => button("Commit").click());
    await flush();
    expect(calls.find((c) => c.method === "POST")).toMatchObject({ path: "/coops/K1/commitments", body: { crop: "yellow_beans", quantity_kg: "150" } });
    expect(root.textContent).toContain("Committed 150 kg of Beans to Lira Beans Growers.");
  });
  it("refuses a co-op without crops beside the field, then creates it", async () => {
    me.value = { id: "M2", role: "farmer" };
    serve({ "GET /coops/mine": { coops: [], commitments: [], allocations: [], earnings_ugx: 0 }, "POST /coops": [201, { ...COOP, id: "K2" }] });
    act(() => render(<Coops />, root));
    await flush();
    expect(root.textContent).toContain("You are in no co-op yet.");
    type("Co-op name", "Gulu Maize Farmers");
    type("District", "Gulu");
    await act(async () => button("Start the co-op").click());
    expect(root.textContent).toContain("Choose 1 to 10 crops.");
    expect(calls.some((c) => c.method === "POST")).toBe(false);
    const beans = [...root.querySelectorAll("label.crop-pick")].find((l) => l.textContent === "Beans")!.querySelector("input")!;
    act(() => beans.click());
    await act(async () => button("Start the co-op").click());
    await flush();
    expect(calls.find((c) => c.method === "POST")).toMatchObject({ path: "/coops", body: { name: "Gulu Maize Farmers", district: "Gulu", crops: ["yellow_beans"], fee_percent: "2" } });
  });
});
