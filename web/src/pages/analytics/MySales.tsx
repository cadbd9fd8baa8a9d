/** `#/farm/sales` (farmers): "My sales" (`GET /analytics/me`): the last twelve months' revenue as
 * a chart, then for one crop the price obtained each month against the market's observed price and
 * our forecast (chart and table), buyers (how many came back) and ratings by month. The last answer
 * stays readable offline. */
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Empty, ErrorMessage, Loading, Page, SavedNotice, Select } from "../../components/ui";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { cropName } from "../../lib/catalogue";
import { kg, ugx } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import Chart from "./Chart";
import DataTable from "./DataTable";
import { cropsSold, farmerTotals, monthLabel, priceData, salesByMonth, SALES_MONTHS, shortKey, signedPercent, versusMarket } from "./logic";
import type { FarmerAnalytics } from "./types";
import "./analytics.css";
import "./messages";

function Revenue(props: { a: FarmerAnalytics }) {
  const months = salesByMonth(props.a.months);
  if (!months.length) return null;
  const l = lang.value;
  return (
    <section aria-labelledby="an-rev-h">
      <h2 id="an-rev-h">{t("an.sales.byMonth")}</h2>
      <Chart
        labels={months.map((m) => shortKey(m.month, l))}
        xLabel={t("an.month")}
        label={t("an.sales.chart", { from: monthLabel(months[0]!.month, l), to: monthLabel(months[months.length - 1]!.month, l), total: ugx(months.reduce((s, m) => s + m.revenue_ugx, 0)) })}
        countLabel={t("an.sales.orders")}
        moneyLabel="UGX"
        series={[
          { label: t("an.sales.orders"), values: months.map((m) => m.orders), color: "#8fb996", kind: "bars" },
          { label: t("an.sales.revenue"), values: months.map((m) => m.revenue_ugx), color: "#2f6f3e", kind: "line" },
        ]}
      />
      <DataTable
        collapsible
        label={t("an.sales.byMonthTable")}
        rows={[...months].reverse()}
        rowKey={(m) => m.month}
        columns={[
          { label: t("an.month"), cell: (m) => monthLabel(m.month, l) },
          { label: t("an.sales.orders"), num: true, cell: (m) => m.orders },
          { label: t("an.kg"), num: true, cell: (m) => kg(m.kg) },
          { label: t("an.sales.revenue"), num: true, cell: (m) => ugx(m.revenue_ugx) },
        ]}
      />
    </section>
  );
}

function Prices(props: { a: FarmerAnalytics }) {
  const crops = cropsSold(props.a.months);
  const [chosen, setChosen] = useState("");
  const crop = crops.includes(chosen) ? chosen : crops[0];
  if (!crop) return null;
  const l = lang.value;
  const { months, data } = priceData(props.a.months, crop);
  const rows = props.a.months.filter((m) => m.crop === crop).sort((a, b) => b.month.localeCompare(a.month));
  return (
    <section aria-labelledby="an-price-h">
      <h2 id="an-price-h">{t("an.sales.prices")}</h2>
      <p class="muted">{props.a.market ? t("an.sales.market", { market: props.a.market }) : t("an.sales.noMarket")}</p>
      {crops.length > 1 && (
        <Select label={t("an.crop")} value={crop} onChange={(e) => setChosen((e.currentTarget as HTMLSelectElement).value)} options={crops.map((c) => ({ value: c, label: cropName(c) }))} />
      )}
      <Chart
        labels={months.map((m) => shortKey(m, l))}
        xLabel={t("an.month")}
        prices
        label={t("an.sales.priceChart", { crop: cropName(crop) })}
        moneyLabel={t("an.perKg")}
        series={[
          { label: t("an.sales.yourPrice"), values: data[1], color: "#2f6f3e", kind: "line" },
          { label: t("an.sales.marketPrice"), values: data[2], color: "#1f5fa8", kind: "line" },
          { label: t("an.sales.forecast"), values: data[3], color: "#b26a00", kind: "line", dash: [5, 4] },
        ]}
      />
      <DataTable
        caption
        label={t("an.sales.pricesTable", { crop: cropName(crop) })}
        rows={rows}
        rowKey={(r) => r.month}
        columns={[
          { label: t("an.month"), cell: (r) => monthLabel(r.month, l) },
          { label: t("an.kg"), num: true, cell: (r) => kg(r.kg) },
          { label: t("an.sales.revenue"), num: true, cell: (r) => ugx(r.revenue_ugx) },
          { label: t("an.sales.yourPrice"), num: true, cell: (r) => ugx(r.average_price_ugx) },
          { label: t("an.sales.marketPrice"), num: true, cell: (r) => ugx(r.market_price_ugx) },
          { label: t("an.sales.versus"), num: true, cell: (r) => signedPercent(versusMarket(r.average_price_ugx, r.market_price_ugx)) },
          { label: t("an.sales.forecast"), num: true, cell: (r) => ugx(r.forecast_price_ugx) },
        ]}
      />
    </section>
  );
}

function People(props: { a: FarmerAnalytics }) {
  const { buyers, ratings } = props.a;
  const l = lang.value;
  return (
    <section aria-labelledby="an-people-h">
      <h2 id="an-people-h">{t("an.sales.buyers")}</h2>
      <dl class="totals">
        <dt>{t("an.sales.buyersTotal")}</dt>
        <dd>{buyers.total}</dd>
        <dt>{t("an.sales.buyersRepeat")}</dt>
        <dd>{buyers.repeat}</dd>
      </dl>
      <h3>{t("an.sales.ratings")}</h3>
      <DataTable
        label={t("an.sales.ratings")}
        empty={t("an.sales.noRatings")}
        rows={[...ratings].sort((a, b) => b.month.localeCompare(a.month))}
        rowKey={(r) => r.month}
        columns={[
          { label: t("an.month"), cell: (r) => monthLabel(r.month, l) },
          { label: t("an.sales.reviews"), num: true, cell: (r) => r.count },
          { label: t("an.sales.average"), num: true, cell: (r) => t("an.sales.stars", { n: r.average.toFixed(1) }) },
        ]}
      />
    </section>
  );
}

export default function MySales() {
  const userId = me.value?.id ?? "";
  const sales = useAsync((signal) => api.get<FarmerAnalytics>("/analytics/me", { query: { months: SALES_MONTHS }, signal }), [userId], `an.sales.${userId}`);
  const a = sales.data;
  const totals = a ? farmerTotals(a) : null;
  return (
    <Page title={t("an.sales.title")}>
      <SavedNotice savedAt={sales.savedAt} />
      <ErrorMessage error={sales.error} />
      {sales.loading && !a && <Loading />}
      {a && totals && (
        <>
          <p class="muted">{t("an.sales.intro", { n: SALES_MONTHS })}</p>
          <dl class="totals">
            <dt>{t("an.sales.revenue")}</dt>
            <dd>{ugx(totals.revenue_ugx)}</dd>
            <dt>{t("an.sales.orders")}</dt>
            <dd>{totals.orders}</dd>
            <dt>{t("an.sales.sold")}</dt>
            <dd>{kg(totals.kg)}</dd>
          </dl>
          {a.months.length === 0 ? (
            <Empty>{t("an.sales.empty")}</Empty>
          ) : (
            <>
              <Revenue a={a} />
              <Prices a={a} />
            </>
          )}
          <People a={a} />
          <p>
            <Link href="/reports">{t("an.sales.reportsLink")}</Link>
          </p>
        </>
      )}
    </Page>
  );
}
