/** The analytics charts, drawn by uPlot over a category axis (days, weeks or months): bars for
 * counts and kilograms, lines for money. uPlot and its CSS are imported when a chart is first
 * shown (as QueueChart and PriceChart do), so they are in no page's shell; the same numbers are in
 * a table beside every chart (and for screen readers: the canvas has a text alternative). */
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorMessage } from "../../components/ui";
import { OfflineError } from "../../lib/api";
import { ugx } from "../../lib/format";
import { t } from "../../lib/i18n";

type UPlot = typeof import("uplot");
type Options = import("uplot").Options;
type Series = import("uplot").Series;

let uplot: Promise<UPlot> | null = null;
function loadUPlot(): Promise<UPlot> {
  uplot ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(
    ([module]) => ((module as unknown as { default?: UPlot }).default ?? module) as UPlot,
  );
  return uplot;
}

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** bars (counts, kg) on the left scale; lines (money, UGX) on the right. */
  kind: "bars" | "line";
  dash?: number[];
}

const HEIGHT = 240;

function money(v: number): string {
  return Math.abs(v) >= 1_000_000 ? `${(v / 1_000_000).toFixed(1)}M` : Math.abs(v) >= 10_000 ? `${Math.round(v / 1000)}k` : v.toLocaleString("en-GB");
}

export default function Chart(props: { labels: string[]; series: ChartSeries[]; label: string; countLabel?: string; moneyLabel?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<Error | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let chart: { destroy(): void; setSize(size: { width: number; height: number }): void } | null = null;
    let live = true;
    const resize = () => chart && box.current && chart.setSize({ width: box.current.clientWidth || 360, height: HEIGHT });
    loadUPlot().then(
      (UPlot) => {
        if (!live || !box.current) return;
        const { labels, series } = props;
        const bars = series.filter((s) => s.kind === "bars");
        const hasBars = bars.length > 0;
        const hasLines = series.some((s) => s.kind === "line");
        const width = bars.length > 1 ? 0.35 : 0.6; // at most two bars a category, side by side
        const uSeries: Series[] = [
          { label: "", value: (_u, v) => (v == null ? "" : labels[v] ?? "") },
          ...series.map((s): Series => {
            if (s.kind === "bars") {
              const index = bars.indexOf(s);
              return {
                label: s.label,
                stroke: s.color,
                fill: s.color,
                scale: "n",
                points: { show: false },
                paths: UPlot.paths.bars!({ size: [width, 48], align: bars.length === 1 ? 0 : index === 0 ? -1 : 1 }),
                value: (_u, v) => (v == null ? "–" : v.toLocaleString("en-GB")),
              };
            }
            return { label: s.label, stroke: s.color, width: 2, dash: s.dash, scale: "ugx", spanGaps: true, value: (_u, v) => (v == null ? "–" : ugx(v)) };
          }),
        ];
        const options: Options = {
          width: box.current.clientWidth || 360,
          height: HEIGHT,
          scales: {
            x: { time: false, range: [-0.6, Math.max(0, labels.length - 1) + 0.6] },
            n: { range: (_u, _min, max) => [0, Math.max(1, max)] },
            ugx: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, max ?? 1)] },
          },
          axes: [
            {
              splits: () => labels.map((_, i) => i),
              values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? labels[s] ?? "" : "")),
              size: 36,
            },
            ...(hasBars ? [{ scale: "n", label: props.countLabel, size: 50, values: (_u: unknown, ticks: number[]) => ticks.map((v) => (Number.isInteger(v) ? v.toLocaleString("en-GB") : "")) }] : []),
            ...(hasLines ? [{ scale: "ugx", side: hasBars ? 1 : 3, label: props.moneyLabel, size: 60, grid: { show: !hasBars }, values: (_u: unknown, ticks: number[]) => ticks.map(money) }] : []),
          ],
          series: uSeries,
        };
        const data = [labels.map((_, i) => i), ...series.map((s) => s.values)] as unknown as import("uplot").AlignedData;
        chart = new UPlot(options, data, box.current);
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
  }, [props.labels.join("|"), JSON.stringify(props.series)]);
  return (
    <figure class="chart-box an-chart">
      <div ref={box} role="img" aria-label={props.label} class="chart" />
      {!ready && !error && <p class="loading">{t("an.chartLoading")}</p>}
      <ErrorMessage error={error} />
    </figure>
  );
}
