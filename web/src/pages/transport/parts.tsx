/** Pieces the transport pages and the order pages share: a booking's status, its audit trail as a
 * timeline, and where the transporter is (position, speed, ETA, remaining distance, a small track). */
import { me } from "../../lib/auth";
import { date, dateTime, kg, ugx as ugxText } from "../../lib/format";
import { lang, t } from "../../lib/i18n";
import { distanceText, etaText, mapLink, speedText, trackPoints } from "./logic";
import "./messages";
import "./transport.css";
import type { Booking, BookingStatus, VehicleType } from "./types";

export function BookingStatusBadge(props: { value: BookingStatus }) {
  return <span class={`status tr-status-${props.value}`}>{t(`tr.status.${props.value}`)}</span>;
}

export function vehicleLabel(type: VehicleType): string {
  return t(`tr.vehicle.${type}`);
}

export function dayText(day: string): string {
  // a pickup day is a date (no time): shown as that calendar day, whatever the device's zone
  return date(`${day}T09:00:00Z`, lang.value);
}

function who(booking: Booking, by: string): string {
  if (by === me.value?.id) return t("tr.who.you");
  if (by === booking.transporter_id) return t("tr.who.transporter");
  if (by === booking.buyer_id) return t("tr.who.buyer");
  if (by === booking.farmer_id) return t("tr.who.farmer");
  return by === "system" ? t("tr.who.system") : t("tr.who.admin");
}

export function Timeline(props: { booking: Booking }) {
  const { booking } = props;
  return (
    <section aria-labelledby="tr-history">
      <h2 id="tr-history">{t("tr.history")}</h2>
      <ol class="tr-timeline">
        {booking.audit.map((step, i) => (
          <li key={`${step.at}-${i}`}>
            <time dateTime={step.at}>{dateTime(step.at, lang.value)}</time>
            <span>
              <BookingStatusBadge value={step.status} /> <span class="muted">({who(booking, step.by)})</span>
            </span>
            {step.note && <span class="muted">{step.note}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

const W = 320;
const H = 180;

function Track(props: { booking: Booking }) {
  const shape = trackPoints(props.booking.track ?? [], props.booking.dropoff, W, H);
  if (!shape) return null;
  return (
    <svg class="tr-track" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={t("tr.track.label", { n: props.booking.track?.length ?? 0 })}>
      <polyline points={shape.line} fill="none" stroke="#1565c0" stroke-width="3" stroke-linejoin="round" stroke-linecap="round" />
      {shape.goal && <circle cx={shape.goal[0]} cy={shape.goal[1]} r="6" fill="#2e7d32" />}
      {shape.end && <circle cx={shape.end[0]} cy={shape.end[1]} r="5" fill="#b71c1c" />}
    </svg>
  );
}

/** Where the transporter is: shown from acceptance on, when a position has come in. */
export function Tracking(props: { booking: Booking }) {
  const { booking } = props;
  const fix = booking.position;
  return (
    <section aria-labelledby="tr-where" class="tr-where">
      <h2 id="tr-where">{t("tr.where")}</h2>
      {booking.arrived_at && (
        <p class="notice" role="status">
          {t("tr.arrived", { when: dateTime(booking.arrived_at, lang.value) })}
        </p>
      )}
      {fix ? (
        <>
          <dl class="tr-facts" aria-live="polite">
            <dt>{t("tr.where.at")}</dt>
            <dd>
              {dateTime(fix.at, lang.value)} ·{" "}
              <a href={mapLink(fix)} target="_blank" rel="noopener noreferrer">
                {t("tr.where.map")}
              </a>
            </dd>
            {booking.status !== "delivered" && (
              <>
                <dt>{t("tr.where.eta")}</dt>
                <dd>{etaText(booking.eta_minutes, lang.value)}</dd>
                <dt>{t("tr.where.remaining")}</dt>
                <dd>{distanceText(booking.remaining_km)}</dd>
                <dt>{t("tr.where.speed")}</dt>
                <dd>{speedText(booking.speed_kmh)}</dd>
              </>
            )}
          </dl>
          <Track booking={booking} />
        </>
      ) : (
        <p class="muted">{t("tr.where.none")}</p>
      )}
    </section>
  );
}

/** What a booking is: vehicle, transporter, both ends, fare. */
export function BookingFacts(props: { booking: Booking }) {
  const { booking } = props;
  return (
    <dl class="tr-facts">
      <dt>{t("tr.vehicle")}</dt>
      <dd>
        {vehicleLabel(booking.vehicle_type)} · {booking.plate}
      </dd>
      <dt>{t("tr.transporter")}</dt>
      <dd>{booking.transporter_name}</dd>
      <dt>{t("tr.pickup")}</dt>
      <dd>
        {booking.pickup.address ? `${booking.pickup.address}, ` : ""}
        {booking.pickup.district} · {dayText(booking.pickup_day)}
      </dd>
      <dt>{t("tr.dropoff")}</dt>
      <dd>{booking.dropoff.address ? `${booking.dropoff.address}, ${booking.dropoff.district}` : booking.dropoff.district}</dd>
      <dt>{t("tr.distance")}</dt>
      <dd>{distanceText(booking.distance_km)}</dd>
      <dt>{t("tr.weight")}</dt>
      <dd>{kg(booking.weight_kg)}</dd>
      <dt>{t("tr.fare")}</dt>
      <dd>
        <strong>{ugxText(booking.fare_ugx)}</strong>
      </dd>
      {booking.status === "requested" && (
        <>
          <dt>{t("tr.answerBy")}</dt>
          <dd>{dateTime(booking.answer_by, lang.value)}</dd>
        </>
      )}
      {booking.status === "cancelled" && booking.reason && (
        <>
          <dt>{t("tr.reason")}</dt>
          <dd>{booking.reason}</dd>
        </>
      )}
    </dl>
  );
}
