/** What several buyer pages show: a listing's card and its photo, quantities as the API sends them. */
import { Link } from "wouter-preact";
import { cropName } from "../../lib/catalogue";
import { kg, perKg } from "../../lib/format";
import { t } from "../../lib/i18n";
import type { Listing } from "./types";

/** "95.000" (the API's decimal string) as a number of kg for display. */
export function kgOf(quantity: string | number | null | undefined): number | null {
  if (quantity === null || quantity === undefined || quantity === "") return null;
  const value = Number(quantity);
  return Number.isFinite(value) ? value : null;
}

export function Photo(props: { src?: string; alt: string; width?: number; height?: number; eager?: boolean }) {
  const { width = 400, height = 300 } = props;
  if (!props.src) return <div class="photo-none" aria-hidden="true" />;
  return <img src={props.src} alt={props.alt} width={width} height={height} loading={props.eager ? "eager" : "lazy"} decoding="async" />;
}

export function ListingCard(props: { listing: Listing }) {
  const l = props.listing;
  const crop = cropName(l.crop);
  return (
    <li class="card listing-card">
      <Photo src={l.images[0]} alt={t("buyer.photo.of", { crop })} />
      <h2 class="card-title">
        <Link href={`/listings/${l.id}`}>{l.title}</Link>
      </h2>
      <p class="crop">{crop}</p>
      <p class="price">{perKg(l.price_per_kg)}</p>
      <p class="muted">
        {t("buyer.available", { kg: kg(kgOf(l.quantity_kg)) })} · {l.district}
      </p>
    </li>
  );
}
