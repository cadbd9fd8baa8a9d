/** `#/prices` (anyone): the price outlook. Pick a crop and a market; the 12-week forecast
 * (`POST /ml/price/predict`) is drawn as a line with its band, with how old the newest market
 * price behind it is (past the API's threshold, a warning that it is old data, with the last price
 * seen); beside it, "where to sell": each market's price less transport from the
 * seller's district (`POST /location/route`). The last answers stay readable offline. */
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, Empty, ErrorMessage, Field, Loading, Page, SavedNotice, Select, TableScroll } from "../../components/ui";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { catalogue } from "../../lib/catalogue";
import { date, ugx } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { ageText } from "./age";
import PriceChart from "./PriceChart";
import type { Forecast, Market, PriceCrop, RouteAnswer } from "./types";
import "./farmer.css";

const WEEKS = 12;

/** Whole days from `through` (a date) to `now`. */
export function daysOld(through: string, now: Date = new Date()): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(`${through}T00:00:00Z`)) / 86_400_000));
}

/** The age the API counted (East Africa Time), or counted here for a copy saved before it did. */
function ageOf(through: string, days: number | null | undefined): number {
  return days ?? daysOld(through);
}

/** How old the newest price behind a forecast is and, past the threshold, a warning that it is old
 * data with the last price seen: never shown as a current forecast without it. */
function Freshness(props: { f: Forecast }) {
  const { f } = props;
  if (!f.data_through) return <p class="data-age">{t("prices.dataUnknown")}</p>;
  const when = date(f.data_through, lang.value);
  const age = ageText(ageOf(f.data_through, f.data_age_days));
  return (
    <>
      <p class="data-age">
        {t("prices.dataAge", { date: when, age })} <span class="muted">{t(`prices.source.${f.source}`)}</span>
      </p>
      {f.stale && (
        <div class="stale-warning" role="alert">
          <p>{t("prices.stale", { date: when, age, limit: f.stale_after_days ?? 60 })}</p>
          {f.last_price != null && f.last_price_day && <p>{t("prices.lastPrice", { price: ugx(f.last_price), date: date(f.last_price_day, lang.value) })}</p>}
        </div>
      )}
    </>
  );
}

function Outlook(props: { crop: PriceCrop; market: Market }) {
  const { crop, market } = props;
  const forecast = useAsync(
    (signal) => api.post<Forecast>("/ml/price/predict", { crop: crop.id, market: market.id, weeks_ahead: WEEKS }, { auth: false, signal }),
    [crop.id, market.id],
    `prices.forecast.${crop.id}.${market.id}`,
  );
  const name = lang.value === "lg" ? crop.luganda : crop.name;
  const f = forecast.data;
  const weeks = f?.predictions ?? [];
  return (
    <section aria-labelledby="outlook-h">
      <h2 id="outlook-h">{t("prices.forecast", { crop: name, market: market.name })}</h2>
      <SavedNotice savedAt={forecast.savedAt} />
      <ErrorMessage error={forecast.error} />
      {forecast.loading && !f && <Loading />}
      {f && (
        <>
          <Freshness f={f} />
          {weeks.length > 0 && (
            <PriceChart
              weeks={weeks}
              label={t("prices.chart", {
                crop: name,
                market: market.name,
                from: date(weeks[0]!.week_start, lang.value),
                to: date(weeks[weeks.length - 1]!.week_start, lang.value),
                first: ugx(weeks[0]!.price),
                last: ugx(weeks[weeks.length - 1]!.price),
              })}
            />
          )}
          <details>
            <summary>{t("prices.table")}</summary>
            <TableScroll label={t("prices.table")}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t("prices.week")}</th>
                    <th scope="col">{t("prices.price")}</th>
                    <th scope="col">{t("prices.low")}</th>
                    <th scope="col">{t("prices.high")}</th>
                  </tr>
                </thead>
                <tbody>
                  {weeks.map((w) => (
                    <tr key={w.week_start}>
                      <th scope="row">{date(w.week_start, lang.value)}</th>
                      <td class="num">{ugx(w.price)}</td>
                      <td class="num">{ugx(w.lower)}</td>
                      <td class="num">{ugx(w.upper)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </details>
        </>
      )}
    </section>
  );
}

interface RouteQuery {
  crop: string;
  quantity: number;
  district: string;
}

function WhereToSell(props: { crop: PriceCrop; district: string }) {
  const [quantity, setQuantity] = useState("100");
  const [district, setDistrict] = useState(props.district);
  const [query, setQuery] = useState<RouteQuery | null>(props.district ? { crop: props.crop.id, quantity: 100, district: props.district } : null);
  const asked = query && { ...query, crop: props.crop.id };
  const route = useAsync(
    (signal) =>
      asked
        ? api.post<RouteAnswer>("/location/route", { crop: asked.crop, quantity_kg: asked.quantity, district: asked.district }, { auth: false, signal })
        : Promise.resolve(null),
    [asked?.crop, asked?.quantity, asked?.district],
    asked ? `prices.route.${asked.crop}.${asked.quantity}.${asked.district}` : undefined,
  );
  const districts = catalogue.value?.districts ?? [];
  const options = route.data?.options ?? [];
  const anyStale = options.some((o) => o.stale);
  return (
    <section aria-labelledby="where-h">
      <h2 id="where-h">{t("prices.where")}</h2>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery({ crop: props.crop.id, quantity: Number(quantity), district: district.trim() });
        }}
      >
        <Field label={t("prices.quantity")} type="number" inputMode="decimal" min={1} step="any" value={quantity} onInput={(e) => setQuantity((e.currentTarget as HTMLInputElement).value)} required />
        {districts.length ? (
          <Select label={t("prices.district")} value={district} onChange={(e) => setDistrict((e.currentTarget as HTMLSelectElement).value)} required placeholder="" options={districts.map((d) => ({ value: d.name, label: d.name }))} />
        ) : (
          <Field label={t("prices.district")} value={district} onInput={(e) => setDistrict((e.currentTarget as HTMLInputElement).value)} required maxLength={60} />
        )}
        <Button type="submit" kind="secondary" busy={route.loading && !!asked}>
          {t("prices.whereSubmit")}
        </Button>
      </form>
      <SavedNotice savedAt={route.savedAt} />
      <ErrorMessage error={route.error} />
      {route.data && options.length === 0 && <Empty>{t("prices.whereEmpty")}</Empty>}
      {route.data && options.length > 0 && (
        <>
          {route.data.suggestion && <p>{route.data.suggestion}</p>}
          {anyStale && (
            <p class="stale-warning" role="status">
              {t("prices.whereStale")}
            </p>
          )}
          <TableScroll label={t("prices.whereCaption")}>
            <table>
              <caption>{t("prices.whereCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("prices.whereMarket")}</th>
                  <th scope="col">{t("prices.whereDistance")}</th>
                  <th scope="col">{t("prices.wherePrice")}</th>
                  <th scope="col">{t("prices.whereAge")}</th>
                  <th scope="col">{t("prices.whereTransport")}</th>
                  <th scope="col">{t("prices.whereNet")}</th>
                  <th scope="col">{t("prices.whereTotal")}</th>
                </tr>
              </thead>
              <tbody>
                {[...options]
                  .sort((a, b) => b.net_per_kg - a.net_per_kg)
                  .map((o) => (
                    <tr key={o.market}>
                      <th scope="row">{o.name}</th>
                      <td class="num">{Math.round(o.distance_km)} km</td>
                      <td class="num">{ugx(o.price_per_kg)}</td>
                      <td>
                        {o.data_through ? `${date(o.data_through, lang.value)} (${ageText(ageOf(o.data_through, o.data_age_days))})` : "–"}
                        {o.stale && <strong class="old-data"> {t("prices.whereOld")}</strong>}
                      </td>
                      <td class="num">{ugx(o.transport_per_kg)}</td>
                      <td class="num">{ugx(o.net_per_kg)}</td>
                      <td class="num">{ugx(o.net_total_ugx)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
    </section>
  );
}

export default function Prices() {
  const crops = useAsync((signal) => api.get<{ items: PriceCrop[] }>("/ml/price/crops", { auth: false, signal }), [], "prices.crops");
  const markets = useAsync((signal) => api.get<{ items: Market[] }>("/ml/price/markets", { auth: false, signal }), [], "prices.markets");
  const [cropId, setCropId] = useState<string>("");
  const [marketId, setMarketId] = useState<string>("");
  const cropList = crops.data?.items ?? [];
  const marketList = markets.data?.items ?? [];
  const crop = cropList.find((c) => c.id === cropId) ?? cropList.find((c) => c.id === "maize") ?? cropList[0];
  const market = marketList.find((m) => m.id === marketId) ?? marketList.find((m) => m.has_real_data) ?? marketList[0];
  const district = String(me.value?.district ?? market?.district ?? "");
  return (
    <Page title={t("prices.title")}>
      <SavedNotice savedAt={crops.savedAt ?? markets.savedAt} />
      <ErrorMessage error={crops.error ?? markets.error} />
      {(crops.loading || markets.loading) && !(crop && market) && <Loading />}
      {crop && market && (
        <>
          <div class="row">
            <Select
              label={t("prices.crop")}
              value={crop.id}
              onChange={(e) => setCropId((e.currentTarget as HTMLSelectElement).value)}
              options={cropList.map((c) => ({ value: c.id, label: lang.value === "lg" ? c.luganda : c.name }))}
            />
            <Select
              label={t("prices.market")}
              value={market.id}
              onChange={(e) => setMarketId((e.currentTarget as HTMLSelectElement).value)}
              options={marketList.map((m) => ({ value: m.id, label: m.has_real_data ? m.name : `${m.name} ${t("prices.noData")}` }))}
            />
          </div>
          <Outlook crop={crop} market={market} />
          {me.value && <p><Link href={`/alerts?crop=${crop.id}&market=${market.id}`}>{t("prices.alerts")}</Link></p>}
          <WhereToSell key={district} crop={crop} district={district} />
        </>
      )}
    </Page>
  );
}
