/** `#/alerts` (signed in): the caller's price alerts (`GET /alerts`), a form to add one
 * (`POST /alerts`: a crop in a market, a price above or below, a forecast move, the weekly
 * digest) and a button to end each (`DELETE /alerts/{id}`). Linked from the price outlook. */
import { useState } from "preact/hooks";
import { Button, Empty, ErrorMessage, Field, Loading, Page, Select } from "../../components/ui";
import { api, newIdempotencyKey } from "../../lib/api";
import { ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import type { Market, PriceCrop } from "./types";
import "./farmer.css";

interface Alert {
  id: string;
  crop: string;
  crop_name: string;
  market: string;
  market_name: string;
  above_ugx: number | null;
  below_ugx: number | null;
  forecast_move_pct: number | null;
  digest: boolean;
  channel: "app" | "sms";
  created_at: string;
}

type Rule = "above" | "below" | "move" | "digest";

function ruleText(a: Alert): string {
  const rules: string[] = [];
  if (a.above_ugx) rules.push(t("alerts.rule.above", { price: ugx(a.above_ugx) }));
  if (a.below_ugx) rules.push(t("alerts.rule.below", { price: ugx(a.below_ugx) }));
  if (a.forecast_move_pct) rules.push(t("alerts.rule.move", { pct: a.forecast_move_pct }));
  if (a.digest) rules.push(t("alerts.rule.digest"));
  return rules.join(", ");
}

function query(name: string): string {
  const search = window.location.hash.split("?")[1] ?? "";
  return new URLSearchParams(search).get(name) ?? "";
}

function AddAlert(props: { onAdded: () => void }) {
  const crops = useAsync((signal) => api.get<{ items: PriceCrop[] }>("/ml/price/crops", { auth: false, signal }), [], "prices.crops");
  const markets = useAsync((signal) => api.get<{ items: Market[] }>("/ml/price/markets", { auth: false, signal }), [], "prices.markets");
  const [crop, setCrop] = useState(query("crop"));
  const [market, setMarket] = useState(query("market"));
  const [rule, setRule] = useState<Rule>("below");
  const [value, setValue] = useState("");
  const [key, setKey] = useState(newIdempotencyKey());
  const [added, setAdded] = useState(false);
  const add = useAction(async () => {
    const body: Record<string, unknown> = { crop, market };
    if (rule === "above") body.above_ugx = Number(value);
    if (rule === "below") body.below_ugx = Number(value);
    if (rule === "move") body.forecast_move_pct = Number(value);
    if (rule === "digest") body.digest = true;
    await api.post<Alert>("/alerts", body, { idempotencyKey: key });
    setKey(newIdempotencyKey());
    setValue("");
    setAdded(true);
    props.onAdded();
  });
  const cropList = crops.data?.items ?? [];
  const marketList = markets.data?.items ?? [];
  return (
    <section aria-labelledby="alerts-add-h">
      <h2 id="alerts-add-h">{t("alerts.add")}</h2>
      <ErrorMessage error={crops.error ?? markets.error} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setAdded(false);
          void add.run();
        }}
      >
        <Select
          label={t("prices.crop")}
          value={crop}
          required
          placeholder={t("alerts.pick")}
          onChange={(e) => setCrop((e.currentTarget as HTMLSelectElement).value)}
          options={cropList.map((c) => ({ value: c.id, label: lang.value === "lg" ? c.luganda : c.name }))}
        />
        <Select
          label={t("prices.market")}
          value={market}
          required
          placeholder={t("alerts.pick")}
          onChange={(e) => setMarket((e.currentTarget as HTMLSelectElement).value)}
          options={marketList.map((m) => ({ value: m.id, label: m.name }))}
        />
        <Select
          label={t("alerts.when")}
          value={rule}
          onChange={(e) => setRule((e.currentTarget as HTMLSelectElement).value as Rule)}
          options={[
            { value: "below", label: t("alerts.when.below") },
            { value: "above", label: t("alerts.when.above") },
            { value: "move", label: t("alerts.when.move") },
            { value: "digest", label: t("alerts.when.digest") },
          ]}
        />
        {rule !== "digest" && (
          <Field
            label={rule === "move" ? t("alerts.percent") : t("alerts.price")}
            type="number"
            inputMode="numeric"
            min={1}
            max={rule === "move" ? 100 : 10000000}
            required
            value={value}
            onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
          />
        )}
        <ErrorMessage error={add.error} />
        {added && <p role="status">{t("alerts.added")}</p>}
        <Button type="submit" kind="primary" busy={add.busy}>
          {t("alerts.submit")}
        </Button>
      </form>
    </section>
  );
}

export default function Alerts() {
  const [version, setVersion] = useState(0);
  const alerts = useAsync((signal) => api.get<{ items: Alert[]; next_cursor: string | null }>("/alerts", { query: { limit: 100 }, signal }), [version]);
  const remove = useAction(async (id: string) => {
    await api.delete(`/alerts/${id}`);
    setVersion((v) => v + 1);
  });
  const items = alerts.data?.items ?? [];
  return (
    <Page title={t("alerts.title")}>
      <p>{t("alerts.intro")}</p>
      <ErrorMessage error={alerts.error ?? remove.error} />
      {alerts.loading && !alerts.data && <Loading />}
      {alerts.data && items.length === 0 && <Empty>{t("alerts.empty")}</Empty>}
      {items.length > 0 && (
        <ul class="cards" aria-label={t("alerts.mine")}>
          {items.map((a) => (
            <li key={a.id} class="card">
              <h2>{t("alerts.item", { crop: a.crop_name, market: a.market_name })}</h2>
              <p>{ruleText(a)}</p>
              <Button
                kind="danger"
                busy={remove.busy}
                onClick={() => void remove.run(a.id)}
                aria-label={t("alerts.delete", { crop: a.crop_name, market: a.market_name })}
              >
                {t("alerts.stop")}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <AddAlert onAdded={() => setVersion((v) => v + 1)} />
    </Page>
  );
}
