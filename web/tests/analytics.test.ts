import { describe, expect, it } from "vitest";
import "../src/i18n/common";
import "../src/pages/analytics/messages";
import {
  addDays,
  cropsSold,
  daysBetween,
  draftProblems,
  farmerTotals,
  kindsFor,
  marketData,
  marketQuery,
  mergeReports,
  metricsQuery,
  monthLabel,
  newDraft,
  nextMonth,
  nextPoll,
  percent,
  periodLabel,
  pollDelay,
  priceData,
  reportBody,
  reportFilename,
  salesByMonth,
  seriesData,
  shortKey,
  signedPercent,
  todayEat,
  versusMarket,
  weekLabel,
} from "../src/pages/analytics/logic";
import { labelStep, moneyRange } from "../src/pages/analytics/Chart";
import { defaultCrop } from "../src/pages/analytics/MarketPrices";
import type { FarmerAnalytics, MonthCropSales, Report } from "../src/pages/analytics/types";

const sale = (month: string, crop: string, revenue: number, extra: Partial<MonthCropSales> = {}): MonthCropSales => ({
  month,
  crop,
  orders: 1,
  kg: revenue / 1000,
  revenue_ugx: revenue,
  average_price_ugx: 1000,
  market_price_ugx: null,
  forecast_price_ugx: null,
  ...extra,
});

const report = (id: string, status: Report["status"], created_at = "2026-12-03T08:00:00Z"): Report => ({
  id,
  owner: "U1",
  kind: "sales",
  format: "csv",
  from_date: "2026-12-01",
  to_date: "2026-12-03",
  status,
  created_at,
});

describe("rates and periods", () => {
  it("shows a rate as a percentage, and none as a dash", () => {
    expect(percent(0.8333)).toBe("83.3%");
    expect(percent(1)).toBe("100%");
    expect(percent(0)).toBe("0%");
    expect(percent(0.05)).toBe("5%");
    expect(percent(null)).toBe("–");
    expect(percent(undefined)).toBe("–");
  });
  it("signs the difference from the market's price", () => {
    expect(signedPercent(versusMarket(1100, 1000))).toBe("+10%");
    expect(signedPercent(versusMarket(900, 1000))).toBe("-10%");
    expect(signedPercent(versusMarket(1000, 1000))).toBe("0%");
    expect(signedPercent(versusMarket(1000, null))).toBe("–");
    expect(signedPercent(versusMarket(1000, 0))).toBe("–");
  });
  it("counts today in East Africa Time, whatever the device's zone", () => {
    expect(todayEat(new Date("2026-12-02T21:30:00Z"))).toBe("2026-12-03"); // 00:30 EAT
    expect(todayEat(new Date("2026-12-02T20:59:00Z"))).toBe("2026-12-02");
  });
  it("moves and measures dates", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(daysBetween("2026-01-01", "2026-12-31")).toBe(364);
    expect(daysBetween("2026-12-03", "2026-12-01")).toBe(-2);
  });
  it("names a period's key as people read it, in both languages", () => {
    expect(periodLabel("day", "2026-12-03")).toBe("3 Dec 2026");
    expect(periodLabel("week", "2026-W49")).toBe("Week 49, 2026");
    expect(periodLabel("week", "2026-W49", "lg")).toBe("Wiiki 49, 2026");
    expect(periodLabel("month", "2026-12")).toBe("December 2026");
    expect(monthLabel("2026-03", "lg")).toBe("Marisi 2026");
    expect(weekLabel("not a week")).toBe("not a week");
  });
  it("shortens keys for a chart's axis", () => {
    expect(shortKey("2026-12-03")).toBe("3 Dec");
    expect(shortKey("2026-W07")).toBe("W7");
    expect(shortKey("2026-12")).toBe("Dec");
    expect(shortKey("2026-08", "lg")).toBe("Agu");
  });
});

describe("queries", () => {
  it("asks for a period's metrics, on a day only when one is chosen", () => {
    expect(metricsQuery("day")).toEqual({ period: "day" });
    expect(metricsQuery("week", "")).toEqual({ period: "week" });
    expect(metricsQuery("month", "2026-11-15")).toEqual({ period: "month", on: "2026-11-15" });
  });
  it("asks for the market of a crop, a district only when chosen, weeks within 1..52", () => {
    expect(marketQuery("maize_grain", "")).toEqual({ crop: "maize_grain", weeks: 12 });
    expect(marketQuery("maize_grain", "Gulu", 26)).toEqual({ crop: "maize_grain", district: "Gulu", weeks: 26 });
    expect(marketQuery("beans", null, 99)).toEqual({ crop: "beans", weeks: 52 });
    expect(marketQuery("beans", undefined, 0)).toEqual({ crop: "beans", weeks: 12 });
  });
  it("starts the market page on maize", () => {
    expect(defaultCrop(["beans", "maize_grain", "maize_flour"])).toBe("maize_grain");
    expect(defaultCrop(["beans", "maize_flour"])).toBe("maize_flour");
    expect(defaultCrop(["beans"])).toBe("beans");
    expect(defaultCrop([])).toBe("");
  });
});

describe("chart series", () => {
  it("gives uPlot the dashboard's series on a category axis", () => {
    const series = [
      { key: "2026-12-02", orders_placed: 3, orders_completed: 1, gmv_ugx: 46_000 },
      { key: "2026-12-03", orders_placed: 5, orders_completed: 2, gmv_ugx: 0 },
    ];
    expect(seriesData(series)).toEqual([[0, 1], [3, 5], [1, 2], [46_000, 0]]);
    expect(seriesData([])).toEqual([[], [], [], []]);
  });
  it("keeps the market's missing prices as gaps", () => {
    const weeks = [
      { week: "2026-W48", orders: 0, kg: 0, median_price_ugx: null, wfp_price_ugx: 1050 },
      { week: "2026-W49", orders: 2, kg: 140, median_price_ugx: 1100, wfp_price_ugx: null },
    ];
    expect(marketData(weeks)).toEqual([[0, 1], [0, 140], [null, 1100], [1050, null]]);
  });
  it("sums a farmer's sales by month over crops, oldest first", () => {
    const months = [sale("2026-12", "maize_grain", 46_000), sale("2026-11", "beans", 20_000), sale("2026-12", "beans", 10_000)];
    expect(salesByMonth(months)).toEqual([
      { month: "2026-11", orders: 1, kg: 20, revenue_ugx: 20_000 },
      { month: "2026-12", orders: 2, kg: 56, revenue_ugx: 56_000 },
    ]);
    expect(cropsSold(months)).toEqual(["maize_grain", "beans"]);
  });
  it("shows the months without a sale between the first and the last at zero", () => {
    const months = [sale("2026-11", "beans", 20_000), sale("2027-02", "beans", 10_000)];
    expect(salesByMonth(months).map((m) => [m.month, m.revenue_ugx])).toEqual([
      ["2026-11", 20_000],
      ["2026-12", 0],
      ["2027-01", 0],
      ["2027-02", 10_000],
    ]);
    expect(salesByMonth([])).toEqual([]);
    expect(nextMonth("2026-09")).toBe("2026-10");
    expect(nextMonth("2026-12")).toBe("2027-01");
  });
  it("labels every category of a short axis, and thins a long one on a phone", () => {
    expect(labelStep(6, 700)).toBe(1);
    expect(labelStep(14, 380)).toBe(4);
    expect(labelStep(52, 380)).toBe(13);
  });
  it("draws amounts from zero and prices around their values", () => {
    expect(moneyRange(46_000, 123_500, true)).toEqual([0, 123_500]);
    expect(moneyRange(null, null, true)).toEqual([0, 1]);
    expect(moneyRange(1000, 1150, false)).toEqual([942, 1208]); // at least 5% of the price either side
    expect(moneyRange(1100, 1100, false)).toEqual([1045, 1155]);
  });
  it("gives one crop's prices by month with the market's and the forecast", () => {
    const months = [
      sale("2026-12", "maize_grain", 46_000, { average_price_ugx: 1150, market_price_ugx: 1000, forecast_price_ugx: 1080 }),
      sale("2026-10", "maize_grain", 10_000, { average_price_ugx: 1000 }),
      sale("2026-11", "beans", 5_000),
    ];
    expect(priceData(months, "maize_grain")).toEqual({
      months: ["2026-10", "2026-12"],
      data: [[0, 1], [1000, 1150], [null, 1000], [null, 1080]],
    });
  });
  it("takes the API's totals, or sums the months when it gave none", () => {
    const base: FarmerAnalytics = { farmer_id: "F", market: null, months: [sale("2026-12", "beans", 10_000), sale("2026-11", "beans", 5_000)], buyers: { total: 1, repeat: 0 }, ratings: [] };
    expect(farmerTotals(base)).toEqual({ orders: 2, kg: 15, revenue_ugx: 15_000 });
    expect(farmerTotals({ ...base, totals: { crop: "all", orders: 3, kg: 40, gmv_ugx: 46_000 } })).toEqual({ orders: 3, kg: 40, revenue_ugx: 46_000 });
  });
});

describe("reports", () => {
  it("drafts this month so far, as CSV", () => {
    expect(newDraft("sales", "2026-12-03")).toEqual({ kind: "sales", format: "csv", from_date: "2026-12-01", to_date: "2026-12-03", crop: "", district: "" });
  });
  it("checks the dates before sending", () => {
    const draft = newDraft("sales", "2026-12-03");
    expect(draftProblems(draft, "2026-12-03")).toEqual({});
    expect(draftProblems({ ...draft, from_date: "" }, "2026-12-03")).toEqual({ from_date: "an.reports.badDate" });
    expect(draftProblems({ ...draft, to_date: "2026-11-30" }, "2026-12-03")).toEqual({ to_date: "an.reports.toBeforeFrom" });
    expect(draftProblems({ ...draft, from_date: "2025-12-01", to_date: "2026-12-03" }, "2026-12-03")).toEqual({ to_date: "an.reports.tooLong" }); // 367 days
    expect(draftProblems({ ...draft, from_date: "2025-12-01", to_date: "2026-12-02" }, "2026-12-03")).toEqual({}); // 366 days
    expect(draftProblems({ ...draft, from_date: "2026-12-04", to_date: "2026-12-05" }, "2026-12-03")).toEqual({ from_date: "an.reports.future" });
  });
  it("sends the crop and district only when chosen, and never for payouts", () => {
    const draft = { ...newDraft("sales", "2026-12-03"), crop: "maize_grain" };
    expect(reportBody(draft)).toEqual({ kind: "sales", format: "csv", from_date: "2026-12-01", to_date: "2026-12-03", crop: "maize_grain" });
    expect(reportBody({ ...draft, kind: "payouts", district: "Gulu", format: "pdf" })).toEqual({ kind: "payouts", format: "pdf", from_date: "2026-12-01", to_date: "2026-12-03" });
    expect(reportBody({ ...draft, kind: "market_prices", district: "Gulu" })).toMatchObject({ crop: "maize_grain", district: "Gulu" });
  });
  it("offers farmers and admins every kind, anyone else market prices", () => {
    expect(kindsFor({ farmer: true, admin: false })).toEqual(["sales", "payouts", "market_prices"]);
    expect(kindsFor({ farmer: false, admin: true })).toEqual(["sales", "payouts", "market_prices"]);
    expect(kindsFor({ farmer: false, admin: false })).toEqual(["market_prices"]);
  });
  it("names the downloaded file", () => {
    expect(reportFilename({ kind: "market_prices", format: "pdf", from_date: "2026-11-01", to_date: "2026-11-30" })).toBe("soko-market-prices-2026-11-01-2026-11-30.pdf");
  });
});

describe("polling reports being prepared", () => {
  it("polls only while a report is queued or running", () => {
    expect(nextPoll([report("A", "ready"), report("B", "failed")], 0)).toBeNull();
    expect(nextPoll([], 0)).toBeNull();
    expect(nextPoll([report("A", "ready"), report("B", "queued")], 0)).toBe(1500);
    expect(nextPoll([report("A", "running")], 3)).toBe(5000);
  });
  it("asks less often as time goes on, never more than every 15 seconds, and gives up in the end", () => {
    const delays = Array.from({ length: 12 }, (_, i) => pollDelay(i));
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(Math.max(...delays)).toBe(15_000);
    expect(nextPoll([report("A", "queued")], 200)).toBeNull();
    expect(nextPoll([report("A", "queued")], 199)).toBe(15_000);
  });
  it("replaces a report by a fresher copy in place, and puts new ones first", () => {
    const list = [report("B", "queued", "2026-12-03T09:00:00Z"), report("A", "ready")];
    const fresh = { ...report("B", "ready", "2026-12-03T09:00:00Z"), total_ugx: 46_000 };
    expect(mergeReports(list, [fresh]).map((r) => [r.id, r.status])).toEqual([["B", "ready"], ["A", "ready"]]);
    expect(mergeReports(list, [report("C", "queued", "2026-12-03T10:00:00Z")]).map((r) => r.id)).toEqual(["C", "B", "A"]);
    expect(mergeReports([], [])).toEqual([]);
  });
});
