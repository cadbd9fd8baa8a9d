import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import "../src/i18n/common";
import type { Metrics, Report } from "../src/pages/analytics/types";

// The chart draws with uPlot on a canvas (not in jsdom): a stub that shows what it was given.
vi.mock("../src/pages/analytics/Chart", () => ({
  default: (props: { label: string; series: { label: string; values: (number | null)[] }[] }) => (
    <div role="img" aria-label={props.label} data-series={JSON.stringify(props.series.map((s) => [s.label, s.values]))} />
  ),
}));

const { MetricsView } = await import("../src/pages/analytics/MetricsPanel");
const { default: DataTable } = await import("../src/pages/analytics/DataTable");
const { ReportItems, usePolling, useReportList } = await import("../src/pages/analytics/ReportsView");

const metrics: Metrics = {
  period: "day",
  key: "2026-12-03",
  starts_on: "2026-12-03",
  ends_on: "2026-12-03",
  orders: { placed: 7, confirmed: 5, completed: 3, cancelled: 1, rejected: 0, expired: 0, disputed: 1 },
  payments: { succeeded: 4, failed: 1, expired: 0 },
  gmv_ugx: 123_500,
  completed_value_ugx: 92_000,
  new_users: 2,
  active_farmers: 3,
  active_buyers: 4,
  rates: { fulfilment: 0.75, dispute: 0.25, payment_success: null },
  top_crops: [{ crop: "maize_grain", orders: 3, kg: 120, gmv_ugx: 92_000 }],
  top_districts: [{ district: "Gulu", orders: 3, gmv_ugx: 92_000 }],
  coverage_gaps: [{ district: "Kotido", crop: null, searches: 4 }],
  queues: [{ name: "soko-orders", visible: 0, in_flight: 1, dead_letters: 2 }],
  series: [
    { key: "2026-12-02", orders_placed: 2, orders_completed: 1, gmv_ugx: 46_000 },
    { key: "2026-12-03", orders_placed: 7, orders_completed: 3, gmv_ugx: 123_500 },
  ],
  as_of: "2026-12-03T07:00:00Z",
};

let root: HTMLDivElement;
beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function figure(term: string): string | undefined {
  const dt = [...root.querySelectorAll("dt")].find((d) => d.textContent === term);
  return dt?.nextElementSibling?.textContent ?? undefined;
}

describe("the dashboard's metrics", () => {
  it("shows the period's counts, money and rates as the API gave them", () => {
    act(() => render(<MetricsView m={metrics} />, root));
    expect(figure("Orders placed")).toBe("7");
    expect(figure("GMV")).toBe("UGX 123,500");
    expect(figure("Orders completed")).toBe("3");
    expect(figure("Fulfilment rate")).toBe("75%");
    expect(figure("Payment success")).toBe("–");
    expect(root.textContent).toContain("3 Dec 2026");
    expect(root.textContent).toContain("Kotido");
    expect(root.textContent).toContain("Any crop");
    const chart = root.querySelector("[role=img]")!;
    expect(chart.getAttribute("aria-label")).toContain("GMV in the last period UGX 123,500");
    expect(JSON.parse(chart.getAttribute("data-series")!)).toEqual([
      ["Orders placed", [2, 7]],
      ["Orders completed", [1, 3]],
      ["GMV", [46_000, 123_500]],
    ]);
  });
});

describe("the analytics tables", () => {
  const rows = [
    { id: "a", n: 1, note: "x" },
    { id: "b", n: 2, note: "y" },
  ];
  const columns = [
    { label: "Id", cell: (r: (typeof rows)[number]) => r.id },
    { label: "Count", num: true, cell: (r: (typeof rows)[number]) => r.n },
    { label: "Note", cell: (r: (typeof rows)[number]) => r.note },
  ];

  it("names the scrolling region, heads each column and each row, and right-aligns the numbers", () => {
    act(() => render(<DataTable label="Things" caption collapsible rows={rows} rowKey={(r) => r.id} rowClass={(r) => (r.n > 1 ? "an-alarm" : undefined)} columns={columns} />, root));
    expect(root.querySelector("details > summary")!.textContent).toBe("Things");
    const region = root.querySelector("details > div.table-wrap[role=region]")!;
    expect(region.getAttribute("aria-label")).toBe("Things");
    expect(region.querySelector("table > caption")!.textContent).toBe("Things");
    expect([...region.querySelectorAll("thead th[scope=col]")].map((th) => th.textContent)).toEqual(["Id", "Count", "Note"]);
    const trs = [...region.querySelectorAll("tbody tr")];
    expect(trs.map((tr) => tr.innerHTML)).toEqual(['<th scope="row">a</th><td class="num">1</td><td>x</td>', '<th scope="row">b</th><td class="num">2</td><td>y</td>']);
    expect(trs.map((tr) => tr.getAttribute("class"))).toEqual([null, "an-alarm"]);
  });

  it("is a plain table by default, and says so when there is nothing to show", () => {
    act(() => render(<DataTable label="Things" rows={rows} rowKey={(r) => r.id} columns={columns} />, root));
    expect(root.querySelector("details")).toBeNull();
    expect(root.querySelector("caption")).toBeNull();
    expect(root.firstElementChild!.getAttribute("aria-label")).toBe("Things");
    act(() => render(<DataTable label="Things" empty="Nothing yet" rows={[]} rowKey={(r) => r.id} columns={columns} />, root));
    expect(root.innerHTML).toBe('<p class="empty">Nothing yet</p>');
  });
});

function report(status: Report["status"], extra: Partial<Report> = {}): Report {
  return { id: "R1", owner: "U1", kind: "sales", format: "csv", from_date: "2026-12-01", to_date: "2026-12-03", status, created_at: "2026-12-03T08:00:00Z", ...extra };
}

function Harness() {
  const list = useReportList({});
  usePolling(list);
  return <ReportItems list={list} label="Your reports" empty="None" />;
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await act(async () => await Promise.resolve());
};

describe("the reports list", () => {
  it("asks again about a report being prepared until it is ready, then offers the download", async () => {
    vi.useFakeTimers();
    const answers: Report[] = [report("running"), report("ready", { rows: 1, total_ugx: 46_000 })];
    const asked: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        asked.push(new URL(url, "http://x").pathname);
        const body = url.includes("/reports/R1") ? answers.shift() : { items: [report("queued")], next_cursor: null };
        return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
      }),
    );
    act(() => render(<Harness />, root));
    await flush();
    expect(root.textContent).toContain("Waiting");
    expect(root.querySelector("button")).toBeNull();
    await act(async () => void vi.advanceTimersByTime(1500));
    await flush();
    expect(root.textContent).toContain("Being prepared");
    await act(async () => void vi.advanceTimersByTime(2000));
    await flush();
    expect(root.textContent).toContain("Ready");
    expect(root.textContent).toContain("UGX 46,000");
    expect(root.querySelector("button")!.getAttribute("aria-label")).toBe("Download Sales report, 1 Dec 2026 to 3 Dec 2026 (CSV)");
    await act(async () => void vi.advanceTimersByTime(60_000));
    await flush();
    expect(asked).toEqual(["/reports", "/reports/R1", "/reports/R1"]); // no more once ready
  });
});
