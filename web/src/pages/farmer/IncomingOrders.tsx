/** `#/farm/orders`: orders for the farmer's produce (`GET /orders/incoming/`), each with the next
 * steps the API allows (`PATCH /orders/{id}/status`: confirm, reject, dispatched, delivered) and the
 * buyer's delivery PIN (`POST /orders/{id}/delivery-pin`), which releases the money. The list
 * reloads when a notification about one of these orders arrives on the live channel. */
import { useEffect, useId, useState } from "preact/hooks";
import { Button, Empty, ErrorMessage, Field, Loading, Page, SavedNotice, Status } from "../../components/ui";
import { api, ApiError } from "../../lib/api";
import { me } from "../../lib/auth";
import { cropName } from "../../lib/catalogue";
import { dateTime, kg, ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { liveConnected, onLive } from "../../lib/live";
import { PAID, type Order, type OrderStatus, type Page as ListPage } from "./types";
import "./farmer.css";
import { OrderTransport } from "../transport/OrderTransport";

const FOLLOW_UPS_MS = [3000, 10_000];
const POLL_MS = 20_000;

type Move = "confirmed" | "rejected" | "dispatched" | "delivered";

/** The moves open to the farmer (orders.TRANSITIONS; dispatch and delivery need the payment). */
export function movesFor(order: Pick<Order, "status" | "payment_status">): Move[] {
  const paid = order.payment_status === PAID;
  switch (order.status) {
    case "pending":
      return ["confirmed", "rejected"];
    case "confirmed":
      return paid ? ["dispatched", "delivered", "rejected"] : ["rejected"];
    case "dispatched":
      return ["delivered", "rejected"];
    default:
      return [];
  }
}

export function takesPin(order: Pick<Order, "status" | "delivery_pin_locked">): boolean {
  return (order.status === "dispatched" || order.status === "delivered") && !order.delivery_pin_locked;
}

const MOVE_LABEL: Record<Move, string> = {
  confirmed: "farm.orders.confirm",
  rejected: "farm.orders.reject",
  dispatched: "farm.orders.dispatch",
  delivered: "farm.orders.deliver",
};

function PinForm(props: { order: Order; onDone: (order: Order) => void }) {
  const [pin, setPin] = useState("");
  const enter = useAction(() => api.post<Order>(`/orders/${props.order.id}/delivery-pin`, { pin }));
  const fieldError = enter.error instanceof ApiError ? enter.error.fieldErrors().pin : undefined;
  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        const order = await enter.run();
        if (order) {
          setPin("");
          props.onDone(order);
        }
      }}
    >
      <Field
        label={t("farm.orders.pin")}
        hint={t("farm.orders.pinHint")}
        value={pin}
        onInput={(e) => setPin((e.currentTarget as HTMLInputElement).value.replace(/\D/g, ""))}
        inputMode="numeric"
        pattern="[0-9]{6}"
        maxLength={6}
        autoComplete="one-time-code"
        required
        error={fieldError}
      />
      <ErrorMessage error={fieldError ? null : enter.error} />
      <Button type="submit" busy={enter.busy}>
        {t("farm.orders.pinSubmit")}
      </Button>
    </form>
  );
}

function OrderCard(props: { order: Order; onChange: (order: Order) => void }) {
  const { order } = props;
  const id = useId();
  const [pending, setPending] = useState<Move | null>(null);
  const move = useAction((to: Move) => api.patch<Order>(`/orders/${order.id}/status`, { new_status: to }));
  const moves = movesFor(order);
  const [transport, setTransport] = useState(false);
  async function go(to: Move) {
    setPending(to);
    const changed = await move.run(to);
    setPending(null);
    if (changed) props.onChange(changed);
  }
  return (
    <li class="card order" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t("farm.orders.order", { kg: kg(Number(order.quantity_kg)), crop: cropName(order.crop) })}</h2>
      {order.title && <p class="muted">{order.title}</p>}
      <p>
        <Status value={order.status} />
      </p>
      <dl>
        <dt>{t("farm.orders.total")}</dt>
        <dd>{ugx(order.total_ugx)}</dd>
        <dt>{t("farm.orders.payment")}</dt>
        <dd>{order.payment_status === PAID ? t("status.paid") : order.payment_status}</dd>
        <dt>{t("farm.orders.placed")}</dt>
        <dd>{dateTime(order.created_at, lang.value)}</dd>
        <dt>{t("farm.orders.deliverTo")}</dt>
        <dd>{order.delivery_district ?? order.district}</dd>
      </dl>
      {order.status === "confirmed" && order.payment_status !== PAID && <p class="notice">{t("farm.orders.waitPay")}</p>}
      {order.status === "completed" && <p class="notice">{t("farm.orders.completed")}</p>}
      {moves.length > 0 && (
        <div class="actions">
          {moves.map((to) => (
            <Button key={to} kind={to === "rejected" ? "danger" : to === "confirmed" ? "primary" : "secondary"} busy={move.busy && pending === to} disabled={move.busy} onClick={() => void go(to)}>
              {t(MOVE_LABEL[to])}
            </Button>
          ))}
        </div>
      )}
      <ErrorMessage error={move.error} />
      {takesPin(order) && <PinForm order={order} onDone={props.onChange} />}
      {(order.status === "dispatched" || order.status === "delivered") && order.delivery_pin_locked && <p class="notice">{t("farm.orders.pinLocked")}</p>}
      {["confirmed", "dispatched", "delivered"].includes(order.status) && (
        <>
          <Button kind="secondary" aria-expanded={transport} onClick={() => setTransport(!transport)}>
            {t("farm.orders.transport")}
          </Button>
          {transport && <OrderTransport orderId={order.id} canArrange={order.status === "confirmed"} level={3} />}
        </>
      )}
    </li>
  );
}

export default function IncomingOrders() {
  const userId = me.value?.id ?? "";
  const orders = useAsync((signal) => api.get<ListPage<Order>>("/orders/incoming/", { query: { limit: 50 }, signal }), [userId], `farm.orders.${userId}`);
  const [changed, setChanged] = useState<Record<string, Order>>({});
  const { reload } = orders;
  useEffect(() => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    const stop = onLive((message) => {
      const data = (message.notification as { data?: Record<string, unknown> } | undefined)?.data;
      if (message.type !== "notification" || !data?.order_id) return;
      reload();
      // The notification and the order's own record are written by different consumers of the
      // same event: read again a little later too, so a change that lands after the message shows.
      for (const ms of FOLLOW_UPS_MS) timers.push(setTimeout(reload, ms));
    });
    // Without the live channel (reconnecting), read now and then while the page is in view.
    const poll = setInterval(() => !liveConnected.value && document.visibilityState === "visible" && reload(), POLL_MS);
    return () => {
      stop();
      clearInterval(poll);
      timers.forEach(clearTimeout);
    };
  }, [reload]);
  useEffect(() => setChanged({}), [orders.data]);
  const items = (orders.data?.items ?? []).map((o) => changed[o.id] ?? o);
  return (
    <Page title={t("farm.orders.title")}>
      <p class="muted">{t("farm.orders.live")}</p>
      <SavedNotice savedAt={orders.savedAt} />
      <ErrorMessage error={orders.error} />
      {orders.loading && !orders.data && <Loading />}
      {orders.data && items.length === 0 && <Empty>{t("farm.orders.empty")}</Empty>}
      {items.length > 0 && (
        <ul class="cards">
          {items.map((o) => (
            <OrderCard key={o.id} order={o} onChange={(order) => setChanged((c) => ({ ...c, [order.id]: order }))} />
          ))}
        </ul>
      )}
    </Page>
  );
}

export type { OrderStatus };
