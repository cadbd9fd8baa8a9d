/** `#/market/prices` (anyone): market intelligence (`GET /analytics/market`): for a crop and a
 * district (or all districts), the kilograms traded on Soko each week and the median price paid
 * (weighted by kg), next to WFP's observed price in the district's market. Aggregates only: no one's
 * private data. The last answers stay readable offline. */
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Empty, ErrorMessage, Loading, Page, SavedNotice, Select } from "../../components/ui";
import { api, OfflineError } from "../../lib/api";
import { catalogue, cropName, loadCatalogue } from "../../lib/catalogue";
import { kg, ugx } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import Chart from "./Chart";
import DataTable from "./DataTable";
import { DEFAULT_MARKET_WEEKS, MARKET_WEEKS, marketData, marketQuery, shortKey, weekLabel } from "./logic";
import type { MarketIntelligence } from "./types";
import "./analytics.css";
import "./messages";

/** The picker's first crop: maize when the catalogue has it. */
export function defaultCrop(ids: string[]): string {
  return ids.find((id) => id === "maize_grain") ?? ids.find((id) => id.startsWith("maize")) ?? ids[0] ?? "";
}

function Weeks(props: { crop: string; district: string; weeks: number }) {
  const query = marketQuery(props.crop, props.district, props.weeks);
  const answer = useAsync(
    (signal) => api.get<MarketIntelligence>("/analytics/market", { query, auth: false, signal }),
    [props.crop, props.district, props.weeks],
    `an.market.${props.crop}.${props.district || "all"}.${props.weeks}`,
  );
  const m = answer.data;
  const l = lang.value;
  const weeks = m?.weeks ?? [];
  const traded = weeks.some((w) => w.orders > 0);
  const where = props.district || t("an.market.allDistricts");
  const [, volume, median, wfp] = marketData(weeks);
  return (
    <section aria-labelledby="an-market-h">
      <h2 id="an-market-h">{t("an.market.heading", { crop: cropName(props.crop), where })}</h2>
      <SavedNotice savedAt={answer.savedAt} />
      <ErrorMessage error={answer.error} />
      {answer.loading && !m && <Loading />}
      {m && (
        <>
          <p class="muted">{m.market ? t("an.market.wfpMarket", { market: m.market }) : t("an.market.noWfp")}</p>
          {!traded && <Empty>{t("an.market.empty")}</Empty>}
          {weeks.length > 0 && (
            <Chart
              labels={weeks.map((w) => shortKey(w.week, l))}
              xLabel={t("an.week.col")}
              prices
              label={t("an.market.chart", { crop: cropName(m.crop), where, from: weekLabel(weeks[0]!.week, l), to: weekLabel(weeks[weeks.length - 1]!.week, l) })}
              countLabel="kg"
              moneyLabel={t("an.perKg")}
              series={[
                { label: t("an.market.volume"), values: volume, color: "#8fb996", kind: "bars" },
                { label: t("an.market.median"), values: median, color: "#2f6f3e", kind: "line" },
                { label: t("an.market.wfp"), values: wfp, color: "#1f5fa8", kind: "line", dash: [5, 4] },
              ]}
            />
          )}
          <DataTable
            caption
            label={t("an.market.table")}
            rows={[...weeks].reverse()}
            rowKey={(w) => w.week}
            columns={[
              { label: t("an.week.col"), cell: (w) => weekLabel(w.week, l) },
              { label: t("an.market.orders"), num: true, cell: (w) => w.orders },
              { label: t("an.market.volume"), num: true, cell: (w) => kg(w.kg) },
              { label: t("an.market.median"), num: true, cell: (w) => ugx(w.median_price_ugx) },
              { label: t("an.market.wfp"), num: true, cell: (w) => ugx(w.wfp_price_ugx) },
            ]}
          />
        </>
      )}
    </section>
  );
}

export default function MarketPrices() {
  // the shell loads the catalogue at start; opened first (or offline with no copy), ask here too
  const loaded = useAsync(() => (catalogue.value ? Promise.resolve(catalogue.value) : loadCatalogue()), []);
  const cat = catalogue.value ?? loaded.data ?? null;
  const crops = cat?.crops ?? [];
  const [crop, setCrop] = useState("");
  const [district, setDistrict] = useState("");
  const [weeks, setWeeks] = useState(DEFAULT_MARKET_WEEKS);
  const chosen = crops.some((c) => c.id === crop) ? crop : defaultCrop(crops.map((c) => c.id));
  return (
    <Page title={t("an.market.title")}>
      <p>{t("an.market.intro")}</p>
      {!cat && (loaded.loading ? <Loading /> : <ErrorMessage error={new OfflineError()} />)}
      {cat && (
        <>
          <div class="row">
            <Select label={t("an.crop")} value={chosen} onChange={(e) => setCrop((e.currentTarget as HTMLSelectElement).value)} options={crops.map((c) => ({ value: c.id, label: lang.value === "lg" ? c.luganda : c.name }))} />
            <Select
              label={t("an.district")}
              value={district}
              placeholder={t("an.market.allDistricts")}
              onChange={(e) => setDistrict((e.currentTarget as HTMLSelectElement).value)}
              options={cat.districts.map((d) => ({ value: d.name, label: d.name }))}
            />
            <Select
              label={t("an.market.weeks")}
              value={String(weeks)}
              onChange={(e) => setWeeks(Number((e.currentTarget as HTMLSelectElement).value))}
              options={MARKET_WEEKS.map((n) => ({ value: String(n), label: t("an.market.weeksN", { n }) }))}
            />
          </div>
          {chosen && <Weeks crop={chosen} district={district} weeks={weeks} />}
          <p>
            <Link href="/prices">{t("an.market.outlook")}</Link>
          </p>
        </>
      )}
    </Page>
  );
}
