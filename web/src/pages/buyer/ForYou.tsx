/** `#/for-you`: farmers recommended to the signed-in buyer, each with the API's explanation of why
 * (crops in common, district, rating, fulfilment), and a link to their produce. */
import { Link } from "wouter-preact";
import { Empty, ErrorMessage, Loading, Page, SavedNotice } from "../../components/ui";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { cropName } from "../../lib/catalogue";
import { useAsync } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import "./buyer.css";
import "./messages";
import type { Recommendations } from "./types";

export default function ForYou() {
  const id = me.value?.id ?? "";
  const recs = useAsync(
    (signal) => api.get<Recommendations>(`/recommendations/farmers-for-buyer/${encodeURIComponent(id)}`, { query: { top_n: 10 }, signal }),
    [id],
    `for-you:${id}`,
  );
  return (
    <Page title={t("buyer.foryou.title")}>
      <p class="muted">{t("buyer.foryou.intro")}</p>
      <SavedNotice savedAt={recs.savedAt} />
      <ErrorMessage error={recs.error} />
      {recs.loading && !recs.data && <Loading />}
      {recs.data &&
        (recs.data.items.length === 0 ? (
          <Empty>{t("buyer.foryou.none")}</Empty>
        ) : (
          <ol class="cards matches">
            {recs.data.items.map((m) => (
              <li key={m.id} class="card">
                <h2 class="card-title">{m.full_name || t("buyer.farmer.unnamed")}</h2>
                <p>
                  {m.district ?? ""}
                  {m.rating !== null && m.rating !== undefined && (m.rating_count ?? 0) > 0 && ` · ${t("buyer.farmer.rating", { rating: m.rating.toFixed(1), n: m.rating_count ?? 0 })}`}
                </p>
                {m.crops.length > 0 && <p class="muted">{t("buyer.farmer.grows", { crops: m.crops.map(cropName).join(", ") })}</p>}
                <p class="why">
                  <strong>{t("buyer.foryou.why")}</strong> {m.explanation}
                </p>
                {m.reasons.length > 0 && (
                  <ul class="reasons">
                    {m.reasons.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                )}
                <p>
                  <Link href={`/?farmer_id=${encodeURIComponent(m.id)}`}>{t("buyer.foryou.produce", { name: m.full_name || t("buyer.farmer.unnamed") })}</Link>
                </p>
              </li>
            ))}
          </ol>
        ))}
    </Page>
  );
}
