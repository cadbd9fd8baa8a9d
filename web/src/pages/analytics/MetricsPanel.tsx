/** The admin dashboard's numbers (`GET /admin/metrics`): a period switch (today, this week, this
 * month, or the period of a chosen day), the period's counts and money, the rates, the series as
 * a chart (with its table), top crops and districts, coverage gaps and the queues. Read again
 * every minute while the page is open. */
import { useEffect, useState } from "preact/hooks";
import { Button, ErrorMessage, Field, Loading } from "../../components/ui";
import { api } from "../../lib/api";
import { cropName } from "../../lib/catalogue";
import { dateTime, kg, ugx } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import Chart from "./Chart";
import DataTable from "./DataTable";
import { metricsQuery, percent, periodLabel, seriesData, shortKey, todayEat } from "./logic";
import { type Metrics, type Period, PERIODS } from "./types";
import "./analytics.css";
import "./messages";

const REFRESH_MS = 60_000;

function Figure(props: { term: string; value: string | number; hint?: string }) {
  return (
    <div class="an-figure">
      <dt>{props.term}</dt>
      <dd>
        {props.value}
        {props.hint && <small class="muted"> {props.hint}</small>}
      </dd>
    </div>
  );
}

function Series(props: { m: Metrics }) {
  const { m } = props;
  if (!m.series.length) return null;
  const [, placed, completed, gmv] = seriesData(m.series);
  const labels = m.series.map((p) => shortKey(p.key, lang.value));
  const first = periodLabel(m.period, m.series[0]!.key, lang.value);
  const last = periodLabel(m.period, m.series[m.series.length - 1]!.key, lang.value);
  return (
    <section aria-labelledby="an-series-h">
      <h3 id="an-series-h">{t("an.m.series")}</h3>
      <Chart
        labels={labels}
        xLabel={t("an.m.period")}
        label={t("an.m.chart", { from: first, to: last, gmv: ugx(m.series[m.series.length - 1]!.gmv_ugx) })}
        countLabel={t("an.m.orders")}
        moneyLabel="UGX"
        series={[
          { label: t("an.m.placed"), values: placed, color: "#8fb996", kind: "bars" },
          { label: t("an.m.completed"), values: completed, color: "#2f6f3e", kind: "bars" },
          { label: t("an.m.gmv"), values: gmv, color: "#b26a00", kind: "line" },
        ]}
      />
      <DataTable
        collapsible
        label={t("an.m.seriesTable")}
        rows={m.series}
        rowKey={(p) => p.key}
        columns={[
          { label: t("an.m.period"), cell: (p) => periodLabel(m.period, p.key, lang.value) },
          { label: t("an.m.placed"), num: true, cell: (p) => p.orders_placed },
          { label: t("an.m.completed"), num: true, cell: (p) => p.orders_completed },
          { label: t("an.m.gmv"), num: true, cell: (p) => ugx(p.gmv_ugx) },
        ]}
      />
    </section>
  );
}

function Tops(props: { m: Metrics }) {
  const { m } = props;
  return (
    <>
      <h3>{t("an.m.topCrops")}</h3>
      <DataTable
        label={t("an.m.topCrops")}
        empty={t("an.m.none")}
        rows={m.top_crops}
        rowKey={(c) => c.crop}
        columns={[
          { label: t("an.crop"), cell: (c) => cropName(c.crop) },
          { label: t("an.m.orders"), num: true, cell: (c) => c.orders },
          { label: t("an.kg"), num: true, cell: (c) => kg(c.kg) },
          { label: t("an.m.gmv"), num: true, cell: (c) => ugx(c.gmv_ugx) },
        ]}
      />
      <h3>{t("an.m.topDistricts")}</h3>
      <DataTable
        label={t("an.m.topDistricts")}
        empty={t("an.m.none")}
        rows={m.top_districts}
        rowKey={(d) => d.district}
        columns={[
          { label: t("an.district"), cell: (d) => d.district },
          { label: t("an.m.orders"), num: true, cell: (d) => d.orders },
          { label: t("an.m.gmv"), num: true, cell: (d) => ugx(d.gmv_ugx) },
        ]}
      />
      <h3>{t("an.m.gaps")}</h3>
      <p class="muted">{t("an.m.gapsHint")}</p>
      <DataTable
        label={t("an.m.gaps")}
        empty={t("an.m.noGaps")}
        rows={m.coverage_gaps}
        rowKey={(g) => `${g.district}/${g.crop ?? ""}`}
        columns={[
          { label: t("an.district"), cell: (g) => g.district },
          { label: t("an.crop"), cell: (g) => (g.crop ? cropName(g.crop) : t("an.m.anyCrop")) },
          { label: t("an.m.searches"), num: true, cell: (g) => g.searches },
        ]}
      />
      <h3>{t("an.m.queues")}</h3>
      <DataTable
        label={t("an.m.queues")}
        empty={t("an.m.none")}
        rows={m.queues}
        rowKey={(q) => q.name}
        rowClass={(q) => (q.dead_letters ? "an-alarm" : undefined)}
        columns={[
          { label: t("an.m.queue"), cell: (q) => <code>{q.name}</code> },
          { label: t("an.m.waiting"), num: true, cell: (q) => q.visible },
          { label: t("an.m.inFlight"), num: true, cell: (q) => q.in_flight },
          { label: t("an.m.dead"), num: true, cell: (q) => q.dead_letters },
        ]}
      />
    </>
  );
}

export function MetricsView(props: { m: Metrics }) {
  const { m } = props;
  const l = lang.value;
  return (
    <>
      <p class="an-period" aria-live="polite">
        {m.period === "day" ? periodLabel("day", m.key, l) : t("an.m.range", { period: periodLabel(m.period, m.key, l), from: periodLabel("day", m.starts_on, l), to: periodLabel("day", m.ends_on, l) })}
        {" · "}
        <span class="muted">{t("an.m.asOf", { when: dateTime(m.as_of, l) })}</span>
      </p>
      <dl class="an-figures">
        <Figure term={t("an.m.placed")} value={m.orders.placed} />
        <Figure term={t("an.m.gmv")} value={ugx(m.gmv_ugx)} />
        <Figure term={t("an.m.completed")} value={m.orders.completed} />
        <Figure term={t("an.m.completedValue")} value={ugx(m.completed_value_ugx)} />
        <Figure term={t("an.m.activeFarmers")} value={m.active_farmers} />
        <Figure term={t("an.m.activeBuyers")} value={m.active_buyers} />
        <Figure term={t("an.m.newUsers")} value={m.new_users} />
        <Figure term={t("an.m.fulfilment")} value={percent(m.rates.fulfilment)} />
        <Figure term={t("an.m.disputeRate")} value={percent(m.rates.dispute)} />
        <Figure term={t("an.m.paymentSuccess")} value={percent(m.rates.payment_success)} />
      </dl>
      <details>
        <summary>{t("an.m.breakdown")}</summary>
        <dl class="an-figures an-small">
          <Figure term={t("an.m.confirmed")} value={m.orders.confirmed} />
          <Figure term={t("an.m.cancelled")} value={m.orders.cancelled} />
          <Figure term={t("an.m.rejected")} value={m.orders.rejected} />
          <Figure term={t("an.m.expired")} value={m.orders.expired} />
          <Figure term={t("an.m.disputed")} value={m.orders.disputed} />
          <Figure term={t("an.m.paySucceeded")} value={m.payments.succeeded} />
          <Figure term={t("an.m.payFailed")} value={m.payments.failed} />
          <Figure term={t("an.m.payExpired")} value={m.payments.expired} />
        </dl>
      </details>
      <Series m={m} />
      <Tops m={m} />
    </>
  );
}

export default function MetricsPanel() {
  const [period, setPeriod] = useState<Period>("day");
  const [on, setOn] = useState("");
  const metrics = useAsync((signal) => api.get<Metrics>("/admin/metrics", { query: metricsQuery(period, on), signal }), [period, on]);
  const { reload } = metrics;
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === "visible" && reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <section class="an-metrics" aria-labelledby="an-metrics-h">
      <h2 id="an-metrics-h">{t("an.m.title")}</h2>
      <div class="row an-controls">
        <div class="an-switch" role="group" aria-label={t("an.m.periodLabel")}>
          {PERIODS.map((p) => (
            <button key={p} type="button" class="btn btn-secondary" aria-pressed={period === p} onClick={() => setPeriod(p)}>
              {t(`an.m.period.${p}`)}
            </button>
          ))}
        </div>
        <Field label={t("an.m.on")} type="date" value={on} max={todayEat()} onInput={(e) => setOn((e.currentTarget as HTMLInputElement).value)} />
        <Button kind="secondary" busy={metrics.loading && !!metrics.data} onClick={reload}>
          {t("an.refresh")}
        </Button>
      </div>
      <ErrorMessage error={metrics.error} />
      {metrics.loading && !metrics.data && <Loading />}
      {metrics.data && <MetricsView m={metrics.data} />}
    </section>
  );
}
