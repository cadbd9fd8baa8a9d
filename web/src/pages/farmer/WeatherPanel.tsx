/** The farmer's district's weather for the week (`GET /weather/{district}`, public), shown on the
 * farmer's home page: rain and temperatures per day, heavy rain called out with the advice, and
 * an old forecast (the weather service could not be reached) said to be old. */
import { ErrorMessage, Loading, SavedNotice } from "../../components/ui";
import { api } from "../../lib/api";
import { dateTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";

export interface WeatherDay {
  date: string;
  rain_mm: number;
  rain_probability: number | null;
  temp_min_c: number;
  temp_max_c: number;
}

export interface DistrictWeather {
  district: string;
  fetched_at: string;
  stale: boolean;
  source: string;
  days: WeatherDay[];
}

/** Rain from which a day is called out (the heavy-rain advice's default threshold, HeavyRainMm). */
export const HEAVY_RAIN_MM = 30;

const WEEKDAYS = {
  en: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
  lg: ["Sabbiiti", "Bbalaza", "Lwakubiri", "Lwakusatu", "Lwakuna", "Lwakutaano", "Lwamukaaga"],
};

/** "Thu 3" / "Lwakuna 3/12" for a YYYY-MM-DD day. */
export function dayLabel(day: string, language: "en" | "lg"): string {
  const [y, m, d] = day.split("-").map(Number);
  const weekday = WEEKDAYS[language][new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return language === "lg" ? `${weekday} ${d}/${m}` : `${weekday} ${d}`;
}

export default function WeatherPanel(props: { district: string }) {
  const weather = useAsync(
    (signal) => api.get<DistrictWeather>(`/weather/${encodeURIComponent(props.district)}`, { signal, auth: false }),
    [props.district],
    `weather.${props.district}`,
  );
  const data = weather.data;
  const heavy = data?.days.some((d) => d.rain_mm >= HEAVY_RAIN_MM);
  return (
    <section class="weather card" aria-labelledby="weather-title">
      <h2 id="weather-title">{t("farm.weather.title", { district: props.district })}</h2>
      <SavedNotice savedAt={weather.savedAt} />
      <ErrorMessage error={weather.error} />
      {weather.loading && !data && <Loading />}
      {data && (
        <>
          {data.stale ? (
            <p class="notice weather-stale" role="status">
              {t("farm.weather.stale", { time: dateTime(data.fetched_at, lang.value) })}
            </p>
          ) : (
            <p class="muted">{t("farm.weather.updated", { time: dateTime(data.fetched_at, lang.value) })}</p>
          )}
          {heavy && <p class="weather-heavy">{t("farm.weather.heavy")}</p>}
          <div class="table-wrap">
            <table class="weather-days" aria-labelledby="weather-title">
              <thead>
                <tr>
                  <th scope="col">{t("farm.weather.day")}</th>
                  <th scope="col">{t("farm.weather.rain")}</th>
                  <th scope="col">{t("farm.weather.chance")}</th>
                  <th scope="col">{t("farm.weather.temp")}</th>
                </tr>
              </thead>
              <tbody>
                {data.days.map((d) => (
                  <tr key={d.date} class={d.rain_mm >= HEAVY_RAIN_MM ? "heavy" : undefined}>
                    <th scope="row">{dayLabel(d.date, lang.value)}</th>
                    <td class="num">{`${Math.round(d.rain_mm)} mm`}</td>
                    <td class="num">{d.rain_probability === null ? "–" : `${d.rain_probability}%`}</td>
                    <td class="num">{`${Math.round(d.temp_min_c)}–${Math.round(d.temp_max_c)} °C`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted">{t("farm.weather.source")}</p>
        </>
      )}
    </section>
  );
}
