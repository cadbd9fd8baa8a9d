/** `#/farm/listings`: the farmer's own listings (`GET /listings/?farmer_id=<me>`, newest first). */
import { Link } from "wouter-preact";
import { Empty, ErrorMessage, Loading, Page, SavedNotice, Status } from "../../components/ui";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { cropName } from "../../lib/catalogue";
import { kg, perKg } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import type { Listing, Page as ListPage } from "./types";
import WeatherPanel from "./WeatherPanel";
import "./farmer.css";

export default function MyListings() {
  const farmerId = me.value?.id ?? "";
  const listings = useAsync(
    (signal) => api.get<ListPage<Listing>>("/listings/", { query: { farmer_id: farmerId, limit: 100 }, signal }),
    [farmerId],
    `farm.listings.${farmerId}`,
  );
  return (
    <Page
      title={t("farm.listings.title")}
      actions={
        <Link href="/farm/listings/new" class="btn btn-primary">
          {t("farm.listings.new")}
        </Link>
      }
    >
      {me.value?.district && <WeatherPanel district={me.value.district} />}
      <SavedNotice savedAt={listings.savedAt} />
      <ErrorMessage error={listings.error} />
      {listings.loading && !listings.data && <Loading />}
      {listings.data && listings.data.items.length === 0 && <Empty>{t("farm.listings.empty")}</Empty>}
      {listings.data && listings.data.items.length > 0 && (
        <ul class="cards">
          {listings.data.items.map((l) => (
            <li key={l.id} class="card listing">
              {l.images?.[0] && <img src={l.images[0]} alt={t("farm.photos.alt", { n: 1, title: l.title })} loading="lazy" width={320} height={240} />}
              <h2>{l.title}</h2>
              <dl>
                <dt>{t("farm.listing.crop")}</dt>
                <dd>{cropName(l.crop)}</dd>
                <dt>{t("farm.listing.quantity")}</dt>
                <dd>{kg(Number(l.quantity_kg))}</dd>
                <dt>{t("farm.listing.price")}</dt>
                <dd>{perKg(l.price_per_kg)}</dd>
                <dt>{t("farm.listing.district")}</dt>
                <dd>{l.district}</dd>
              </dl>
              <p>
                <Status value={l.moderation?.taken_down ? "taken_down" : l.status} />{" "}
                <span class="muted">{t("farm.listings.photos", { count: l.images?.length ?? 0 })}</span>
              </p>
              <Link href={`/farm/listings/${l.id}/edit`}>{t("farm.listings.edit", { title: l.title })}</Link>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
