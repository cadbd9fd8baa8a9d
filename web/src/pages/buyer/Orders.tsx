/** `#/orders`: the buyer's orders, newest first, with their status and payment. */
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, Empty, ErrorMessage, Loading, Page, SavedNotice, Status } from "../../components/ui";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { cropName } from "../../lib/catalogue";
import { dateTime, kg, ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import "./buyer.css";
import "./messages";
import { kgOf } from "./parts";
import { paymentLabel } from "./payment";
import type { Order, Page as ListPage } from "./types";

export default function Orders() {
  const first = useAsync((signal) => api.get<ListPage<Order>>("/orders/", { query: { limit: 20 }, signal }), [me.value?.id], `orders:${me.value?.id}`);
  const [more, setMore] = useState<{ items: Order[]; cursor: string | null } | null>(null);
  const next = useAction(async (cursor: string) => {
    const page = await api.get<ListPage<Order>>("/orders/", { query: { limit: 20, cursor } });
    setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], cursor: page.next_cursor }));
  });
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.cursor : first.data?.next_cursor;
  return (
    <Page title={t("buyer.orders.title")}>
      <SavedNotice savedAt={first.savedAt} />
      <ErrorMessage error={first.error} />
      {first.loading && !first.data && <Loading />}
      {first.data &&
        (items.length === 0 ? (
          <Empty>
            {t("buyer.orders.none")} <Link href="/">{t("notfound.home")}</Link>
          </Empty>
        ) : (
          <ul class="order-list">
            {items.map((o) => (
              <li key={o.id} class="card">
                <h2 class="card-title">
                  <Link href={`/orders/${o.id}`}>{o.title}</Link>
                </h2>
                <p>
                  <Status value={o.status} /> <span class="muted">{paymentLabel(o.payment_status)}</span>
                </p>
                <p>
                  {cropName(o.crop)} · {kg(kgOf(o.quantity_kg))} · <strong>{ugx(o.total_ugx)}</strong>
                </p>
                <p class="muted">{dateTime(o.created_at, lang.value)}</p>
              </li>
            ))}
          </ul>
        ))}
      <ErrorMessage error={next.error} />
      {cursor && (
        <Button kind="secondary" busy={next.busy} onClick={() => void next.run(cursor)}>
          {t("common.more")}
        </Button>
      )}
    </Page>
  );
}
