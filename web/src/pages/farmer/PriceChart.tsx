/** The forecast line and its band, drawn by uPlot. uPlot (and its CSS) is imported when a chart is
 * first shown, so it is in no page's first load. The canvas has a text alternative; the numbers are
 * also in a table beside it. */
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorMessage } from "../../components/ui";
import { OfflineError } from "../../lib/api";
import { ugx } from "../../lib/format";
import { t } from "../../lib/i18n";
import type { WeeklyPrice } from "./types";

type UPlot = typeof import("uplot"); // the class (its types say `export =`; the ES build exports it as default)
type Options = import("uplot").Options;

let uplot: Promise<UPlot> | null = null;
function loadUPlot(): Promise<UPlot> {
  uplot ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(
    ([module]) => ((module as unknown as { default?: UPlot }).default ?? module) as UPlot,
  );
  return uplot;
}

const money = (_u: unknown, v: number | null) => (v == null ? "–" : ugx(v));

/** Seconds since the epoch at midnight UTC of each week's start (uPlot's x values). */
export function chartData(weeks: WeeklyPrice[]): [number[], number[], number[], number[]] {
  return [
    weeks.map((w) => Date.parse(`${w.week_start}T00:00:00Z`) / 1000),
    weeks.map((w) => w.price),
    weeks.map((w) => w.lower),
    weeks.map((w) => w.upper),
  ];
}

export default function PriceChart(props: { weeks: WeeklyPrice[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<Error | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let chart: { destroy(): void; setSize(size: { width: number; height: number }): void } | null = null;
    let live = true;
    const resize = () => chart && box.current && chart.setSize({ width: box.current.clientWidth, height: 260 });
    loadUPlot().then(
      (UPlot) => {
        if (!live || !box.current) return;
        const price = t("prices.price");
        const options: Options = {
          width: box.current.clientWidth || 360,
          height: 260,
          scales: { x: { time: true } },
          series: [
            {},
            { label: price, stroke: "#2e7d32", width: 2, value: money },
            { label: t("prices.low"), stroke: "rgba(46,125,50,0.5)", dash: [4, 4], value: money },
            { label: t("prices.high"), stroke: "rgba(46,125,50,0.5)", dash: [4, 4], value: money },
          ],
          bands: [{ series: [3, 2], fill: "rgba(46,125,50,0.15)" }],
          axes: [{}, { size: 70, values: (_u: unknown, ticks: number[]) => ticks.map((v) => v.toLocaleString("en-GB")) }],
        };
        chart = new UPlot(options, chartData(props.weeks), box.current);
        setReady(true);
        window.addEventListener("resize", resize);
      },
      () => live && setError(new OfflineError()),
    );
    return () => {
      live = false;
      window.removeEventListener("resize", resize);
      chart?.destroy();
    };
  }, [props.weeks]);
  return (
    <figure class="chart-box">
      <div ref={box} role="img" aria-label={props.label} class="chart" />
      {!ready && !error && <p class="loading">{t("prices.chartLoading")}</p>}
      <ErrorMessage error={error} />
    </figure>
  );
}
