/** Transport for one order, on the buyer's order page and the farmer's order card: the order's
 * booking if it has one (status, fare, a link to follow it), else, for a confirmed order, asking for
 * quotes (`POST /transport/quotes`) and booking one (`POST /transport/bookings`, Idempotency-Key). */
import { useEffect, useId, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, Empty, ErrorMessage, Field, Loading } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { dateTime, kg, ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { onLive } from "../../lib/live";
import { distanceText, liveBookingId } from "./logic";
import { BookingStatusBadge, dayText, vehicleLabel } from "./parts";
import { ACTIVE, type Booking, type Page, type Quote, type QuoteAnswer } from "./types";

/** The order's booking that counts: its active one, else the latest. */
export function currentBooking(items: Booking[]): Booking | null {
  return items.find((b) => ACTIVE.includes(b.status)) ?? items[0] ?? null;
}

function QuoteCard(props: { quote: Quote; busy: boolean; level: 3 | 4; onBook: () => void }) {
  const { quote } = props;
  const id = useId();
  const H = props.level === 4 ? "h4" : "h3";
  return (
    <li class="card tr-quote" aria-labelledby={`${id}-h`}>
      <H id={`${id}-h`}>
        {quote.transporter_name} · {vehicleLabel(quote.vehicle_type)}
      </H>
      <dl class="tr-facts">
        <dt>{t("tr.fare")}</dt>
        <dd>
          <strong>{ugx(quote.fare_ugx)}</strong>
        </dd>
        <dt>{t("tr.distance")}</dt>
        <dd>{distanceText(quote.distance_km)}</dd>
        <dt>{t("tr.pickupDay")}</dt>
        <dd>{dayText(quote.pickup_day)}</dd>
        <dt>{t("tr.weight")}</dt>
        <dd>{kg(quote.weight_kg)}</dd>
      </dl>
      <p class="muted">{t("tr.quote.until", { when: dateTime(quote.expires_at, lang.value) })}</p>
      <Button busy={props.busy} onClick={props.onBook}>
        {t("tr.quote.book")}
      </Button>
    </li>
  );
}

export function OrderTransport(props: { orderId: string; canArrange: boolean; note?: string; level?: 2 | 3; onBooking?: (booking: Booking | null) => void }) {
  const { orderId } = props;
  const level = props.level ?? 2;
  const H = level === 3 ? "h3" : "h2";
  const titleId = useId();
  const loaded = useAsync((signal) => api.get<Page<Booking>>("/transport/bookings", { query: { order_id: orderId, limit: 10 }, signal }), [orderId]);
  const [booked, setBooked] = useState<Booking | null>(null);
  const listed = loaded.data ? currentBooking(loaded.data.items) : null;
  // the booking just made is shown until the list (read again) has it
  const booking = booked && (!listed || (listed.id !== booked.id && !ACTIVE.includes(listed.status))) ? booked : listed;
  const active = booking && ACTIVE.includes(booking.status) ? booking : null;
  const { reload } = loaded;

  useEffect(() => props.onBooking?.(active), [active?.id, active?.status, active?.fare_ugx]);
  useEffect(
    () =>
      onLive((message) => {
        const id = liveBookingId(message);
        if (id && booking && id === booking.id) reload();
      }),
    [booking?.id, reload],
  );

  const [day, setDay] = useState("");
  const [quotes, setQuotes] = useState<Quote[] | null>(null);
  const [keys] = useState(() => new Map<string, string>());
  const [choosing, setChoosing] = useState<string | null>(null);
  const ask = useAction(async () => {
    const body: Record<string, unknown> = { order_id: orderId };
    if (day) body.pickup_day = day;
    const answer = await api.post<QuoteAnswer>("/transport/quotes", body);
    setQuotes(answer.items);
  });
  const book = useAction(async (quote: Quote) => {
    setChoosing(quote.id);
    if (!keys.has(quote.id)) keys.set(quote.id, newIdempotencyKey());
    try {
      const made = await api.post<Booking>("/transport/bookings", { quote_id: quote.id }, { idempotencyKey: keys.get(quote.id) });
      setBooked(made);
      setQuotes(null);
      reload();
    } catch (err) {
      // a lapsed quote or a day someone else took: these prices are stale, ask again
      if (err instanceof ApiError && (err.status === 409 || err.status === 410)) setQuotes(null);
      throw err;
    } finally {
      setChoosing(null);
    }
  });
  const dayError = ask.error instanceof ApiError ? ask.error.fieldErrors().pickup_day : undefined;

  return (
    <section class="tr-order" aria-labelledby={titleId}>
      <H id={titleId}>{t("tr.order.title")}</H>
      {loaded.loading && !loaded.data && <Loading />}
      <ErrorMessage error={loaded.error} />
      {booking && (
        <div class="tr-current" aria-live="polite">
          <p>
            {t("tr.order.status")}: <BookingStatusBadge value={booking.status} />
          </p>
          <p>
            {vehicleLabel(booking.vehicle_type)} · {booking.transporter_name} · {ugx(booking.fare_ugx)} · {dayText(booking.pickup_day)}
          </p>
          <p>
            <Link href={`/transport/bookings/${booking.id}`}>{t("tr.order.follow")}</Link>
          </p>
        </div>
      )}
      {!active && props.canArrange && loaded.data && (
        <>
          {props.note && <p class="notice">{props.note}</p>}
          <form
            class="tr-ask"
            onSubmit={(e) => {
              e.preventDefault();
              void ask.run();
            }}
          >
            <Field label={t("tr.order.day")} hint={t("tr.order.day.hint")} type="date" name="pickup_day" value={day} error={dayError} onInput={(e) => setDay(e.currentTarget.value)} />
            <ErrorMessage error={dayError ? null : ask.error} />
            <Button type="submit" busy={ask.busy}>
              {t("tr.order.arrange")}
            </Button>
          </form>
          <ErrorMessage error={book.error} />
          {quotes &&
            (quotes.length ? (
              <ul class="tr-quotes" aria-label={t("tr.quotes")}>
                {quotes.map((q) => (
                  <QuoteCard key={q.id} quote={q} level={level === 3 ? 4 : 3} busy={book.busy && choosing === q.id} onBook={() => void book.run(q)} />
                ))}
              </ul>
            ) : (
              <Empty>{t("tr.quotes.none")}</Empty>
            ))}
        </>
      )}
    </section>
  );
}
