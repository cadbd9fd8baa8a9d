/** Queue and dead-letter depths as a bar chart. uPlot and its CSS are imported on demand, so they
 * are in no page's first load: the table beside it carries the same numbers meanwhile (and for
 * screen readers). */
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../lib/i18n";
import type { QueueInfo } from "./types";

export function QueueChart(props: { queues: QueueInfo[] }) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let live = true;
    Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(
      ([{ default: UPlot }]) => {
        if (!live || !box.current) return;
        const queues = props.queues;
        const xs = queues.map((_, i) => i);
        const bars = UPlot.paths.bars!({ size: [0.35, 40], align: 0 });
        const width = Math.max(280, Math.min(box.current.clientWidth || 360, 720));
        chart = new UPlot(
          {
            width,
            height: 220,
            scales: { x: { time: false, range: [-0.6, queues.length - 0.4] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
            axes: [
              { values: (_u, splits) => splits.map((s) => (Number.isInteger(s) && queues[s] ? queues[s].label : "")), splits: () => xs, rotate: 0, size: 40 },
              { label: t("admin.health.messages") },
            ],
            series: [
              {},
              { label: t("admin.health.waiting"), stroke: "#2f6f3e", fill: "#2f6f3e", paths: bars, points: { show: false } },
              { label: t("admin.health.dead"), stroke: "#b3261e", fill: "#b3261e", paths: UPlot.paths.bars!({ size: [0.35, 40], align: 1 }), points: { show: false } },
            ],
          },
          [xs, queues.map((q) => q.messages + q.in_flight), queues.map((q) => q.dead_letters?.messages ?? 0)],
          box.current,
        );
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [props.queues]);
  if (failed) return null;
  return <div ref={box} class="admin-chart" role="img" aria-label={t("admin.health.chart")} />;
}
