/** `#/orders/:id`: one of the buyer's orders. Its status and audit trail (EAT), kept current by the
 * live channel (a notification about this order reloads it) and by polling while something is on
 * its way (the farmer's answer, a payment, the order turning paid). What the buyer can do depends
 * on the status: pay by mobile money (PesaPal's checkout in an iframe, or MoMo's prompt on the
 * phone), cancel, download the receipt, confirm receipt, open a dispute with a photo, review. */
import { useEffect, useId, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, ErrorMessage, Field, Loading, Page, Select, Status, TextArea } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { me } from "../../lib/auth";
import { cropName } from "../../lib/catalogue";
import { dateTime, kg, perKg, ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { onLive } from "../../lib/live";
import "./buyer.css";
import "./messages";
import { kgOf } from "./parts";
import { paymentLabel } from "./payment";
import { OrderTransport } from "../transport/OrderTransport";
import type { Booking } from "../transport/types";
import { PAID, PAID_OR_LATER, type ImageUpload, type Order, type Payment } from "./types";

const POLL_MS = 3000;
const WAITING = ["pending", "dispatched"]; // the farmer's move next

function storedPayment(orderId: string): string | null {
  try {
    return sessionStorage.getItem(`soko.payment.${orderId}`);
  } catch {
    return null;
  }
}

function rememberPayment(orderId: string, paymentId: string | null): void {
  try {
    if (paymentId) sessionStorage.setItem(`soko.payment.${orderId}`, paymentId);
    else sessionStorage.removeItem(`soko.payment.${orderId}`);
  } catch {
    // no storage: the page follows the payment while it is open
  }
}

/** The order's payment. With transport booked first, the fare is paid with the order (the payment's
 * amount includes it: payments reads the order's transport), so the amount shown includes it. */
function Pay(props: { order: Order; fare: number | null; onPaid: () => void }) {
  const { order } = props;
  const total = order.total_ugx + (props.fare ?? 0);
  const [phone, setPhone] = useState((me.value?.phone as string | null) ?? "");
  const [key, setKey] = useState(newIdempotencyKey);
  const [payment, setPayment] = useState<Payment | null>(null);
  const [followId, setFollowId] = useState<string | null>(() => storedPayment(order.id));
  const start = useAction(async () => {
    const started = await api.post<Payment>("/payments/initiate", { order_id: order.id, phone: phone.trim() }, { idempotencyKey: key });
    setPayment(started);
    setFollowId(started.payment_id);
    rememberPayment(order.id, started.payment_id);
    return started;
  });
  // Follow the attempt until it is final (the IPN or MoMo's callback settles it on the API's side).
  useEffect(() => {
    if (!followId || (payment && payment.status !== "pending")) return;
    let stopped = false;
    const check = async () => {
      try {
        const now = await api.get<Payment>(`/payments/${followId}/status`);
        if (stopped) return;
        setPayment((p) => ({ ...now, redirect_url: now.redirect_url || p?.redirect_url || "" }));
        if (now.status === "completed") props.onPaid();
        if (now.status !== "pending") {
          rememberPayment(order.id, null);
          setKey(newIdempotencyKey());
        }
      } catch {
        // the next tick tries again; the page shows the last known state
      }
    };
    void check();
    const timer = setInterval(() => void check(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [followId, payment?.status]);

  const fields = start.error instanceof ApiError ? start.error.fieldErrors() : {};
  if (payment?.status === "completed") {
    return (
      <p class="notice" role="status">
        {t("buyer.pay.done")}
      </p>
    );
  }
  const pending = payment?.status === "pending";
  return (
    <section class="pay" aria-labelledby="pay-title">
      <h2 id="pay-title">{t("buyer.pay.title", { total: ugx(total) })}</h2>
      <p class="muted">{props.fare ? t("buyer.pay.withFare", { produce: ugx(order.total_ugx), fare: ugx(props.fare) }) : t("buyer.pay.noFare")}</p>
      {payment && payment.status !== "pending" && (
        <p class="error" role="alert">
          {t("buyer.pay.failed", { status: t(`buyer.pay.status.${payment.status}`) })}
        </p>
      )}
      {pending && payment.redirect_url ? (
        <>
          <p role="status">{t("buyer.pay.checkout")}</p>
          <iframe class="checkout" src={payment.redirect_url} title={t("buyer.pay.iframe")} width={400} height={520} />
        </>
      ) : pending ? (
        <p class="notice" role="status">
          {t("buyer.pay.prompt")}
        </p>
      ) : followId && !payment ? (
        <Loading />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void start.run();
          }}
        >
          <Field
            label={t("buyer.pay.phone")}
            type="tel"
            name="phone"
            autoComplete="tel"
            inputMode="tel"
            required
            maxLength={16}
            value={phone}
            error={fields.phone}
            hint={t("buyer.pay.phone.hint")}
            onInput={(e) => setPhone((e.currentTarget as HTMLInputElement).value)}
          />
          <ErrorMessage error={start.error} />
          <Button type="submit" busy={start.busy}>
            {t("buyer.pay.go", { total: ugx(total) })}
          </Button>
        </form>
      )}
    </section>
  );
}

function Receipt(props: { orderId: string }) {
  const [href, setHref] = useState<string | null>(null);
  useEffect(() => () => void (href && URL.revokeObjectURL(href)), [href]);
  const fetchIt = useAction(async () => {
    const blob = await api.get<Blob>(`/payments/receipts/${props.orderId}`, { blob: true, headers: { Accept: "application/pdf" } });
    setHref(URL.createObjectURL(blob));
  });
  return (
    <div class="receipt">
      {href ? (
        <a class="btn btn-secondary" href={href} download={`soko-receipt-${props.orderId}.pdf`}>
          {t("buyer.receipt.save")}
        </a>
      ) : (
        <Button kind="secondary" busy={fetchIt.busy} onClick={() => void fetchIt.run()}>
          {t("buyer.receipt.get")}
        </Button>
      )}
      <ErrorMessage error={fetchIt.error} />
    </div>
  );
}

async function uploadPhoto(orderId: string, file: File): Promise<string> {
  const form = await api.post<ImageUpload>(`/orders/${orderId}/disputes/photos`, { content_type: file.type });
  if (file.size > form.max_bytes) throw new ApiError(413, "PHOTO_TOO_LARGE", t("buyer.dispute.photo.too_large"));
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append("file", file);
  const response = await fetch(form.url, { method: "POST", body });
  if (!response.ok) throw new ApiError(response.status, "UPLOAD_FAILED", t("buyer.dispute.photo.failed"));
  return form.key;
}

function Dispute(props: { order: Order; onDone: (order: Order) => void }) {
  const undelivered = props.order.status !== "delivered";
  const [reason, setReason] = useState(undelivered ? "not_delivered" : "poor_quality");
  const [details, setDetails] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const id = useId();
  const open = useAction(async () => {
    const photos = file ? [await uploadPhoto(props.order.id, file)] : [];
    const order = await api.post<Order>(`/orders/${props.order.id}/disputes`, { reason, details: details.trim(), photos });
    props.onDone(order);
  });
  const fields = open.error instanceof ApiError ? open.error.fieldErrors() : {};
  const reasons = (undelivered ? ["not_delivered"] : ["not_delivered", "wrong_quantity", "poor_quality", "other"]).map((r) => ({ value: r, label: t(`buyer.dispute.reason.${r}`) }));
  return (
    <details class="dispute">
      <summary>{t("buyer.dispute.open")}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void open.run();
        }}
      >
        <Select label={t("buyer.dispute.reason")} name="reason" value={reason} options={reasons} error={fields.reason} onChange={(e) => setReason((e.currentTarget as HTMLSelectElement).value)} />
        <TextArea label={t("buyer.dispute.details")} name="details" required maxLength={1000} rows={4} value={details} error={fields.details} onInput={(e) => setDetails((e.currentTarget as HTMLTextAreaElement).value)} />
        <div class="field">
          <label for={`${id}-photo`}>{t("buyer.dispute.photo")}</label>
          <input
            id={`${id}-photo`}
            type="file"
            name="photo"
            accept="image/jpeg,image/png,image/webp"
            aria-describedby={`${id}-photo-hint`}
            onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
          />
          <small id={`${id}-photo-hint`} class="hint">
            {t("buyer.dispute.photo.hint")}
          </small>
        </div>
        <ErrorMessage error={open.error} />
        <Button type="submit" kind="danger" busy={open.busy}>
          {t("buyer.dispute.send")}
        </Button>
      </form>
    </details>
  );
}

function Review(props: { order: Order; onDone: () => void }) {
  const [rating, setRating] = useState("5");
  const [comment, setComment] = useState("");
  const send = useAction(async () => {
    await api.post(`/orders/${props.order.id}/review`, { rating: Number(rating), comment: comment.trim() || null });
    props.onDone();
  });
  return (
    <form
      class="review"
      aria-labelledby="review-title"
      onSubmit={(e) => {
        e.preventDefault();
        void send.run();
      }}
    >
      <h2 id="review-title">{t("buyer.review.title")}</h2>
      <Select
        label={t("buyer.review.rating")}
        name="rating"
        value={rating}
        options={[5, 4, 3, 2, 1].map((n) => ({ value: String(n), label: t("buyer.review.stars", { n }) }))}
        onChange={(e) => setRating((e.currentTarget as HTMLSelectElement).value)}
      />
      <TextArea label={t("buyer.review.comment")} name="comment" maxLength={1000} rows={3} value={comment} onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
      <ErrorMessage error={send.error} />
      <Button type="submit" busy={send.busy}>
        {t("buyer.review.send")}
      </Button>
    </form>
  );
}

function who(order: Order, actor: string): string {
  if (actor === me.value?.id) return t("buyer.audit.you");
  if (actor === order.farmer_id) return t("buyer.audit.farmer");
  return t("buyer.audit.system");
}

export default function OrderPage(props: { id: string }) {
  const loaded = useAsync((signal) => api.get<Order>(`/orders/${props.id}`, { signal }), [props.id]);
  const [fresh, setFresh] = useState<Order | null>(null);
  const [paidSeen, setPaidSeen] = useState(false);
  const [transport, setTransport] = useState<Booking | null>(null);
  // An action's answer is shown until a load brings the order as new or newer.
  const order = fresh && fresh.id === props.id && (!loaded.data || fresh.updated_at > loaded.data.updated_at) ? fresh : loaded.data;
  const { reload } = loaded;

  // Live: a notification about this order (confirmed, paid, dispatched, delivered...) reloads it.
  useEffect(
    () =>
      onLive((message) => {
        const data = (message.notification as { data?: Record<string, unknown> } | undefined)?.data;
        if (message.type === "notification" && data?.order_id === props.id) reload();
      }),
    [props.id, reload],
  );
  // And a poll while the next move is someone else's (the live channel may be down).
  const paid = order ? PAID_OR_LATER.includes(order.payment_status) : false;
  const waiting = !!order && (WAITING.includes(order.status) || (paidSeen && !paid));
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [waiting, reload]);

  const cancel = useAction(async () => setFresh(await api.post<Order>(`/orders/${props.id}/cancel`)));
  const receive = useAction(async () => setFresh(await api.post<Order>(`/orders/${props.id}/receipt`)));
  const [confirmCancel, setConfirmCancel] = useState(false);

  if (loaded.error && !order) {
    return (
      <Page title={t("buyer.order.page")}>
        <ErrorMessage error={loaded.error} />
      </Page>
    );
  }
  if (!order) {
    return (
      <Page title={t("buyer.order.page")}>
        <Loading />
      </Page>
    );
  }
  const mine = order.buyer_id === me.value?.id;
  const disputable = mine && !order.dispute && (order.status === "delivered" || (["confirmed", "dispatched"].includes(order.status) && order.payment_status === PAID));
  return (
    <Page title={order.title}>
      <p>
        <Link href="/orders">{t("buyer.orders.back")}</Link>
      </p>
      <div class="order-status" aria-live="polite">
        <p>
          {t("buyer.order.status")}: <Status value={order.status} />
        </p>
        <p>
          {t("buyer.order.payment")}: <strong class={paid ? "paid" : undefined}>{paymentLabel(order.payment_status)}</strong>
        </p>
        {order.status === "delivered" && order.release_at && <p class="notice">{t("buyer.order.window", { when: dateTime(order.release_at, lang.value) })}</p>}
      </div>
      <dl class="facts">
        <dt>{t("buyer.crop")}</dt>
        <dd>{cropName(order.crop)}</dd>
        <dt>{t("buyer.quantity")}</dt>
        <dd>{kg(kgOf(order.quantity_kg))}</dd>
        <dt>{t("buyer.price")}</dt>
        <dd>{perKg(order.price_per_kg)}</dd>
        <dt>{t("buyer.order.total.label")}</dt>
        <dd>
          <strong>{ugx(order.total_ugx)}</strong>
        </dd>
        <dt>{t("buyer.district")}</dt>
        <dd>{order.district}</dd>
        {order.delivery_district && (
          <>
            <dt>{t("buyer.order.district")}</dt>
            <dd>{order.delivery_district}</dd>
          </>
        )}
        <dt>{t("buyer.order.placed")}</dt>
        <dd>{dateTime(order.created_at, lang.value)}</dd>
      </dl>
      <p>
        <Link href={`/listings/${order.listing_id}`}>{t("buyer.order.listing")}</Link>
      </p>

      {mine && ["confirmed", "dispatched", "delivered"].includes(order.status) && (
        <OrderTransport key={order.id} orderId={order.id} canArrange={order.status === "confirmed"} note={paid ? t("buyer.transport.paid") : t("buyer.transport.first")} onBooking={setTransport} />
      )}
      {mine && order.status === "confirmed" && !paid && (
        <Pay
          key={order.id}
          order={order}
          fare={transport?.fare_ugx ?? null}
          onPaid={() => {
            setPaidSeen(true);
            reload();
          }}
        />
      )}
      {mine && paid && <Receipt orderId={order.id} />}
      {mine && order.status === "pending" && (
        <div class="row actions">
          {confirmCancel ? (
            <>
              <Button kind="danger" busy={cancel.busy} onClick={() => void cancel.run()}>
                {t("buyer.order.cancel.yes")}
              </Button>
              <Button kind="secondary" onClick={() => setConfirmCancel(false)}>
                {t("buyer.order.cancel.no")}
              </Button>
            </>
          ) : (
            <Button kind="secondary" onClick={() => setConfirmCancel(true)}>
              {t("buyer.order.cancel")}
            </Button>
          )}
        </div>
      )}
      <ErrorMessage error={cancel.error} />
      {mine && order.status === "delivered" && !order.dispute && (
        <div class="row actions">
          <Button busy={receive.busy} onClick={() => void receive.run()}>
            {t("buyer.order.received")}
          </Button>
        </div>
      )}
      <ErrorMessage error={receive.error} />
      {disputable && <Dispute order={order} onDone={setFresh} />}
      {order.dispute && (
        <section aria-labelledby="dispute-title" class="dispute-view">
          <h2 id="dispute-title">{t("buyer.dispute.title")}</h2>
          <p>
            {t(`buyer.dispute.reason.${order.dispute.reason}`)} · {dateTime(order.dispute.opened_at, lang.value)}
          </p>
          <p>{order.dispute.details}</p>
          <p>
            <Status value={order.dispute.status === "open" ? "disputed" : "resolved"} />
            {order.dispute.outcome &&
              ` ${t(`buyer.dispute.outcome.${order.dispute.outcome}`, { buyer: ugx(order.dispute.buyer_amount_ugx), farmer: ugx(order.dispute.farmer_amount_ugx) })}`}
          </p>
        </section>
      )}
      {mine && order.status === "completed" && !order.reviewed && <Review order={order} onDone={reload} />}
      {order.reviewed && <p class="notice">{t("buyer.review.done")}</p>}

      <section aria-labelledby="history-title">
        <h2 id="history-title">{t("buyer.audit.title")}</h2>
        <ol class="audit">
          {order.audit.map((a) => (
            <li key={`${a.at}-${a.to_status}`}>
              <time dateTime={a.at}>{dateTime(a.at, lang.value)}</time>: {a.to_status === "pending" ? t("buyer.order.placed") : t(`status.${a.to_status}`)} <span class="muted">({who(order, a.actor)})</span>
            </li>
          ))}
        </ol>
      </section>
    </Page>
  );
}
