/** `#/listings/:id`: the listing (photos, details), its farmer's public profile and rating (the API
 * shows profiles to signed-in users), and the order form (POST /orders/ with an Idempotency-Key).
 * A listing with volume price tiers shows them (the order's total at the tier its quantity reaches)
 * and "Buy together": its open bulk-buying groups and the form to start one (issue 18). */
import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { Button, ErrorMessage, Field, Loading, Page, SavedNotice, Select } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { hasRole, me } from "../../lib/auth";
import { catalogue, cropName } from "../../lib/catalogue";
import { date, kg, perKg, ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import "./buyer.css";
import "./messages";
import { kgOf, Photo } from "./parts";
import type { Order, PublicProfile } from "./types";
import { BuyTogether } from "../groups/BuyTogether";
import { TierTable } from "../groups/parts";
import { kgNumber, tierFor, tierPrice } from "../groups/tiers";
import type { TieredListing as Listing } from "../groups/types";

function Farmer(props: { id: string }) {
  const profile = useAsync((signal) => api.get<PublicProfile>(`/users/${props.id}`, { signal }), [props.id]);
  if (profile.loading) return <Loading />;
  if (profile.error) return <ErrorMessage error={profile.error} />;
  const p = profile.data!;
  return (
    <div class="farmer">
      <p>
        <strong>{p.fullName || t("buyer.farmer.unnamed")}</strong>
        {p.district ? ` · ${p.district}` : ""}
      </p>
      <p>
        {p.rating !== null && p.rating !== undefined && p.rating_count > 0
          ? t("buyer.farmer.rating", { rating: p.rating.toFixed(1), n: p.rating_count })
          : t("buyer.farmer.no_rating")}
      </p>
      {p.specialties.length > 0 && <p class="muted">{t("buyer.farmer.grows", { crops: p.specialties.map(cropName).join(", ") })}</p>}
    </div>
  );
}

function OrderForm(props: { listing: Listing }) {
  const l = props.listing;
  const [, navigate] = useLocation();
  const [quantity, setQuantity] = useState("");
  const [district, setDistrict] = useState((me.value?.district as string | null) ?? "");
  const [key, setKey] = useState(newIdempotencyKey);
  const available = kgOf(l.quantity_kg) ?? 0;
  const amount = Number(quantity);
  const tier = Number.isFinite(amount) && amount > 0 ? tierFor(l.price_tiers, amount) : null;
  const price = tierPrice(l.price_per_kg, tier);
  const total = Number.isFinite(amount) && amount > 0 ? Math.round(amount * price) : null;
  const order = useAction(async () => {
    const created = await api.post<Order>(
      "/orders/",
      { listing_id: l.id, quantity_kg: quantity.trim(), delivery_district: district || null },
      { idempotencyKey: key },
    );
    setKey(newIdempotencyKey());
    navigate(`/orders/${created.id}`);
    return created;
  });
  const fields = order.error instanceof ApiError ? order.error.fieldErrors() : {};
  const districts = (catalogue.value?.districts ?? []).map((d) => ({ value: d.name, label: d.name }));
  return (
    <form
      class="order-form"
      aria-labelledby="order-title"
      onSubmit={(e) => {
        e.preventDefault();
        void order.run();
      }}
    >
      <h2 id="order-title">{t("buyer.order.title")}</h2>
      <Field
        label={t("buyer.order.quantity")}
        type="number"
        name="quantity_kg"
        inputMode="decimal"
        min={0.001}
        max={available}
        step={0.001}
        required
        value={quantity}
        error={fields.quantity_kg}
        hint={t("buyer.order.quantity.hint", { kg: kg(available) })}
        onInput={(e) => setQuantity((e.currentTarget as HTMLInputElement).value)}
      />
      <Select
        label={t("buyer.order.district")}
        name="delivery_district"
        value={district}
        options={districts}
        placeholder={t("buyer.order.district.none")}
        error={fields.delivery_district}
        onChange={(e) => setDistrict((e.currentTarget as HTMLSelectElement).value)}
      />
      <p aria-live="polite">
        {tier ? `${t("tiers.order.at", { kg: kg(kgNumber(tier.min_kg)), price: ugx(price), pct: tier.discount_percent })} ` : ""}
        {total !== null ? t("buyer.order.total", { total: ugx(total) }) : ""}
      </p>
      <ErrorMessage error={order.error} />
      <Button type="submit" busy={order.busy}>
        {t("buyer.order.place")}
      </Button>
    </form>
  );
}

export default function ListingPage(props: { id: string }) {
  const listing = useAsync((signal) => api.get<Listing>(`/listings/${props.id}`, { signal }), [props.id, me.value?.id], `listing:${props.id}`);
  const [location] = useLocation();
  const l = listing.data;
  const title = l ? l.title : t("buyer.listing.title");
  const user = me.value;
  return (
    <Page title={title}>
      <p>
        <Link href="/">{t("buyer.back_to_market")}</Link>
      </p>
      <SavedNotice savedAt={listing.savedAt} />
      <ErrorMessage error={listing.error} />
      {listing.loading && !l && <Loading />}
      {l && (
        <>
          {l.images.length > 0 && (
            <ul class="photos" aria-label={t("buyer.photos")}>
              {l.images.map((src, i) => (
                <li key={src}>
                  <Photo src={src} alt={t("buyer.photo.n", { crop: cropName(l.crop), n: i + 1 })} width={640} height={480} eager={i === 0} />
                </li>
              ))}
            </ul>
          )}
          <dl class="facts">
            <dt>{t("buyer.crop")}</dt>
            <dd>{cropName(l.crop)}</dd>
            <dt>{t("buyer.price")}</dt>
            <dd class="price">{perKg(l.price_per_kg)}</dd>
            <dt>{t("buyer.quantity")}</dt>
            <dd>{kg(kgOf(l.quantity_kg))}</dd>
            <dt>{t("buyer.district")}</dt>
            <dd>{l.district}</dd>
            {l.harvest_date && (
              <>
                <dt>{t("buyer.harvested")}</dt>
                <dd>{date(l.harvest_date, lang.value)}</dd>
              </>
            )}
          </dl>
          {l.coop_id && <p class="notice">{t("buyer.listing.pooled")}</p>}
          {l.description && <p class="description">{l.description}</p>}
          {(l.price_tiers ?? []).length > 0 && <TierTable price={l.price_per_kg} tiers={l.price_tiers!} />}
          <section aria-labelledby="farmer-title">
            <h2 id="farmer-title">{t("buyer.farmer.title")}</h2>
            {user ? (
              <>
                <Farmer id={l.farmer_id} />
                {user.id !== l.farmer_id && (
                  <p>
                    <Link href={`/messages/new/${encodeURIComponent(l.farmer_id)}/${encodeURIComponent(l.id)}`}>{t("buyer.farmer.message")}</Link>
                  </p>
                )}
              </>
            ) : (
              <p class="muted">{t("buyer.farmer.signin")}</p>
            )}
          </section>
          {l.status !== "active" ? (
            <p class="notice">{t("buyer.listing.unavailable")}</p>
          ) : !user ? (
            <section class="order-form" aria-labelledby="order-title">
              <h2 id="order-title">{t("buyer.order.title")}</h2>
              <p>{t("buyer.order.signin_needed")}</p>
              <p class="row">
                <Link class="btn btn-primary" href={`/signin?next=${encodeURIComponent(location)}`}>
                  {t("buyer.order.signin")}
                </Link>
                <Link class="btn btn-secondary" href={`/signup?next=${encodeURIComponent(location)}`}>
                  {t("buyer.order.signup")}
                </Link>
              </p>
            </section>
          ) : hasRole(user, "buyer") && user.id !== l.farmer_id ? (
            <OrderForm listing={l} />
          ) : (
            <p class="muted">{t("buyer.order.not_buyer")}</p>
          )}
          {l.status === "active" && (l.price_tiers ?? []).length > 0 && <BuyTogether listing={l} />}
        </>
      )}
    </Page>
  );
}
