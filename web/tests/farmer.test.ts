import { describe, expect, it, vi } from "vitest";
import { monthName } from "../src/pages/farmer/Earnings";
import { movesFor, takesPin } from "../src/pages/farmer/IncomingOrders";
import { listingBody } from "../src/pages/farmer/ListingForm";
import { chartData } from "../src/pages/farmer/PriceChart";
import { daysOld } from "../src/pages/farmer/Prices";
import { PAID } from "../src/pages/farmer/types";
import { postForm, uploadBody, type UploadForm } from "../src/pages/farmer/upload";

describe("incoming orders", () => {
  it("offers the farmer only the moves the API allows", () => {
    expect(movesFor({ status: "pending", payment_status: "unpaid" })).toEqual(["confirmed", "rejected"]);
    expect(movesFor({ status: "confirmed", payment_status: "unpaid" })).toEqual(["rejected"]);
    expect(movesFor({ status: "confirmed", payment_status: PAID })).toEqual(["dispatched", "delivered", "rejected"]);
    expect(movesFor({ status: "dispatched", payment_status: PAID })).toEqual(["delivered", "rejected"]);
    expect(movesFor({ status: "delivered", payment_status: PAID })).toEqual([]);
    expect(movesFor({ status: "completed", payment_status: "released" })).toEqual([]);
  });
  it("asks for the PIN once the produce is on its way, unless it is locked", () => {
    expect(takesPin({ status: "dispatched" })).toBe(true);
    expect(takesPin({ status: "delivered" })).toBe(true);
    expect(takesPin({ status: "delivered", delivery_pin_locked: true })).toBe(false);
    expect(takesPin({ status: "confirmed" })).toBe(false);
  });
});

describe("listing form", () => {
  const draft = { title: " Dry maize ", crop: "maize_grain", quantity_kg: "200", price_per_kg: "1150", district: "Gulu", description: "", harvest_date: "" };
  it("sends numbers as numbers and leaves empty optional fields out of a new listing", () => {
    expect(listingBody(draft, false)).toEqual({ title: "Dry maize", crop: "maize_grain", quantity_kg: 200, price_per_kg: 1150, district: "Gulu" });
  });
  it("clears emptied optional fields on an edit and never sends crop or district", () => {
    expect(listingBody({ ...draft, description: "Sorted" }, true)).toEqual({ title: "Dry maize", quantity_kg: 200, price_per_kg: 1150, description: "Sorted", harvest_date: null });
  });
});

describe("photo upload", () => {
  const form: UploadForm = { url: "http://bucket.example/media", fields: { key: "listings/1/a.jpg", "Content-Type": "image/jpeg", policy: "p" }, key: "listings/1/a.jpg", max_bytes: 10, expires_in: 900 };
  it("puts the policy's fields first and the file last", () => {
    const body = uploadBody(form, new Blob(["x"], { type: "image/jpeg" }));
    expect([...body.keys()]).toEqual(["key", "Content-Type", "policy", "file"]);
  });
  it("reports progress and succeeds on the bucket's 2xx, fails otherwise", async () => {
    const sent: unknown[] = [];
    class FakeXhr {
      static status = 204;
      status = 0;
      upload: { onprogress?: (e: { lengthComputable: boolean; loaded: number; total: number }) => void } = {};
      onload?: () => void;
      onerror?: () => void;
      open(method: string, url: string) {
        sent.push([method, url]);
      }
      send(body: FormData) {
        sent.push(body);
        this.upload.onprogress?.({ lengthComputable: true, loaded: 5, total: 10 });
        this.status = FakeXhr.status;
        this.onload?.();
      }
    }
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const seen: number[] = [];
    await postForm(form, new Blob(["x"]), (f) => seen.push(f));
    expect(seen).toEqual([0.5, 1]);
    expect(sent[0]).toEqual(["POST", "http://bucket.example/media"]);
    FakeXhr.status = 403;
    await expect(postForm(form, new Blob(["x"]), () => undefined)).rejects.toThrow("failed");
    vi.unstubAllGlobals();
  });
});

describe("prices and earnings", () => {
  it("counts whole days since the newest observation", () => {
    expect(daysOld("2026-11-30", new Date("2026-12-02T10:00:00Z"))).toBe(2);
    expect(daysOld("2026-12-03", new Date("2026-12-02T10:00:00Z"))).toBe(0);
  });
  it("gives uPlot the weeks as seconds and the line with its band", () => {
    expect(chartData([{ week_start: "2026-12-07", price: 1058, lower: 963, upper: 1153 }])).toEqual([[Date.UTC(2026, 11, 7) / 1000], [1058], [963], [1153]]);
  });
  it("names months in both languages", () => {
    expect(monthName("2026-12")).toBe("December 2026");
    expect(monthName("2026-03", "lg")).toBe("Marisi 2026");
  });
});
