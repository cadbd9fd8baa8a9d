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

/** Every how many categories a label fits on the axis (about 56 px each; the two value axes take about 150). */
export function labelStep(count: number, width: number): number {
  return Math.max(1, Math.ceil((count * 56) / Math.max(1, width - 150)));
}

/** The money scale: from zero for amounts (GMV, revenue); around the values for prices, so a
 * change of a few percent shows. */
export function moneyRange(min: number | null, max: number | null, fromZero: boolean): [number, number] {
  const lo = min ?? 0;
  const hi = max ?? 1;
  if (fromZero) return [Math.min(0, lo), Math.max(1, hi)];
  const pad = Math.max((hi - lo) * 0.2, hi * 0.05, 1);
  return [Math.max(0, Math.floor(lo - pad)), Math.ceil(hi + pad)];
}

export default function Chart(props: { labels: string[]; series: ChartSeries[]; label: string; xLabel: string; countLabel?: string; moneyLabel?: string; prices?: boolean }) {
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
          { label: props.xLabel, value: (_u, v) => (v == null ? "" : labels[v] ?? "") },
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
            ugx: { range: (_u, min, max) => moneyRange(min, max, !props.prices) },
          },
          axes: [
            {
              splits: () => labels.map((_, i) => i),
              values: (u, splits) => {
                const step = labelStep(labels.length, u.width);
                // the newest always labelled, then every `step` back from it
                return splits.map((s) => (Number.isInteger(s) && (labels.length - 1 - s) % step === 0 ? labels[s] ?? "" : ""));
              },
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
