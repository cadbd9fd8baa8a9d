/** `#/farm/buyers`: buyers the matching service suggests for this farmer
 * (`GET /recommendations/buyers-for-farmer/{me}`), each with the API's own explanation. */
import { Empty, ErrorMessage, Loading, Page, SavedNotice } from "../../components/ui";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { cropName } from "../../lib/catalogue";
import { useAsync } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import type { Recommendations } from "./types";
import "./farmer.css";

export default function BuyersForYou() {
  const userId = me.value?.id ?? "";
  const buyers = useAsync(
    (signal) => api.get<Recommendations>(`/recommendations/buyers-for-farmer/${encodeURIComponent(userId)}`, { query: { top_n: 10 }, signal }),
    [userId],
    `farm.buyers.${userId}`,
  );
  const items = buyers.data?.items ?? [];
  return (
    <Page title={t("farm.buyers.title")}>
      <SavedNotice savedAt={buyers.savedAt} />
      <ErrorMessage error={buyers.error} />
      {buyers.loading && !buyers.data && <Loading />}
      {buyers.data && items.length === 0 && <Empty>{t("farm.buyers.empty")}</Empty>}
      {items.length > 0 && (
        <ul class="cards">
          {items.map((b) => (
            <li key={b.id} class="card">
              <h2>{b.full_name ?? "–"}</h2>
              <p class="muted">
                {[b.district, t("farm.buyers.match", { score: Math.min(100, Math.round(b.matchScore * 100)) })].filter(Boolean).join(" · ")}
              </p>
              {b.crops.length > 0 && <p>{t("farm.buyers.crops", { crops: b.crops.map(cropName).join(", ") })}</p>}
              {typeof b.rating === "number" && <p>{t("farm.buyers.rating", { rating: b.rating.toFixed(1) })}</p>}
              <p>{b.explanation}</p>
              {b.reasons.length > 0 && (
                <ul class="reasons">
                  {b.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
