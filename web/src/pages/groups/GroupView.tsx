/** `#/groups/:id`: one bulk-buying group (`GET /groups/{id}`): its fill and tier, deadline (EAT),
 * members, the tier table with the tier reached marked; join (`POST /groups/{id}/join`) or leave
 * (`POST /groups/{id}/leave`, while open and before the deadline); once completed, the caller's
 * order and the link to pay it by `pay_by`. Kept current while open (polling, and the live channel
 * when a notice names the group). */
import { useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, ErrorMessage, Loading, Page } from "../../components/ui";
import { api } from "../../lib/api";
import { hasRole, me } from "../../lib/auth";
import { cropName } from "../../lib/catalogue";
import { dateTime, kg, perKg, ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { onLive } from "../../lib/live";
import "./groups.css";
import "./messages";
import { JoinForm } from "./JoinForm";
import { canJoin, canLeave, roomKg } from "./logic";
import { FillBar, GroupStatusBadge, TierLine, TierTable } from "./parts";
import { kgNumber } from "./tiers";
import { MAX_MEMBERS, type Group } from "./types";

const POLL_MS = 10_000;

function MyOrder(props: { group: Group }) {
  const g = props.group;
  const mine = g.mine!;
  const qty = kgNumber(mine.quantity_kg);
  return (
    <section class="group-order" aria-labelledby="my-order-title">
      <h2 id="my-order-title">{t("groups.order.title")}</h2>
      <p>{t("groups.order.line", { kg: kg(qty), price: perKg(g.price_per_kg), total: ugx(Math.round(qty * g.price_per_kg)) })}</p>
      {mine.status === "paid" ? (
        <p class="paid">{t("groups.order.paid")}</p>
      ) : mine.status === "dropped" ? (
        <p>{t("groups.order.dropped")}</p>
      ) : (
        g.pay_by && <p>{t("groups.order.pay_by", { when: dateTime(g.pay_by, lang.value) })}</p>
      )}
      {mine.order_id && (
        <p>
          <Link class="btn btn-primary" href={`/orders/${mine.order_id}`}>
            {mine.status === "ordered" ? t("groups.order.pay") : t("groups.order.see")}
          </Link>
        </p>
      )}
    </section>
  );
}

export default function GroupView(props: { id: string }) {
  const loaded = useAsync((signal) => api.get<Group>(`/groups/${encodeURIComponent(props.id)}`, { signal }), [props.id, me.value?.id]);
  const [current, setCurrent] = useState<Group | null>(null);
  useEffect(() => setCurrent(null), [loaded.data]);
  const g = current ?? loaded.data;
  const user = me.value;
  const leave = useAction(async () => {
    const left = await api.post<Group>(`/groups/${encodeURIComponent(props.id)}/leave`);
    setCurrent(left);
    return left;
  });
  const open = g?.status === "open";
  // while open, the fill moves; once completed, the member's order is created a moment later
  const waiting = open || (g?.status === "completed" && !!g.mine && g.mine.status !== "left" && !g.mine.order_id);
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => loaded.reload(), POLL_MS);
    const stop = onLive((message) => {
      if (JSON.stringify(message).includes(props.id)) loaded.reload();
    });
    return () => {
      clearInterval(timer);
      stop();
    };
  }, [waiting, props.id]);
  const title = g ? t("groups.page.title", { crop: cropName(g.crop), district: g.district }) : t("groups.page.loading");
  return (
    <Page title={title}>
      <p>
        <Link href="/groups">{t("groups.back")}</Link>
      </p>
      <ErrorMessage error={loaded.error} />
      {!g && loaded.loading && <Loading />}
      {g && (
        <>
          <p>
            <GroupStatusBadge status={g.status} /> <span class="muted">{g.title}</span>
          </p>
          <p class="muted">{t(`groups.status.${g.status}.about`)}</p>
          <FillBar group={g} />
          <TierLine group={g} />
          <dl class="facts">
            <dt>{t("groups.target")}</dt>
            <dd>{kg(kgNumber(g.target_kg))}</dd>
            <dt>{t("groups.filled")}</dt>
            <dd>{kg(kgNumber(g.filled_kg))}</dd>
            {open && (
              <>
                <dt>{t("groups.room.label")}</dt>
                <dd>{kg(roomKg(g))}</dd>
              </>
            )}
            <dt>{t("groups.members.label")}</dt>
            <dd>{t("groups.members.of", { n: g.members, max: MAX_MEMBERS })}</dd>
            <dt>{t("groups.deadline")}</dt>
            <dd>{dateTime(g.deadline, lang.value)}</dd>
            <dt>{t("groups.price.now")}</dt>
            <dd class="price">{perKg(g.price_per_kg)}</dd>
          </dl>
          <p>
            <Link href={`/listings/${g.listing_id}`}>{t("groups.listing")}</Link>
          </p>
          {g.mine && g.mine.status !== "left" && (
            <section aria-labelledby="mine-part-title">
              <h2 id="mine-part-title">{t("groups.mine.part")}</h2>
              <p class="mine">{t("groups.mine.line", { kg: kg(kgNumber(g.mine.quantity_kg)), when: dateTime(g.mine.joined_at, lang.value) })}</p>
              {canLeave(g) && (
                <>
                  <ErrorMessage error={leave.error} />
                  <Button kind="danger" busy={leave.busy} onClick={() => void leave.run()}>
                    {t("groups.leave")}
                  </Button>
                </>
              )}
            </section>
          )}
          {g.status === "completed" && g.mine && g.mine.status !== "left" && <MyOrder group={g} />}
          {user && hasRole(user, "buyer") && canJoin(g, user.id) && <JoinForm group={g} onJoined={setCurrent} />}
          {user && user.id === g.farmer_id && <p class="muted">{t("groups.farmer_view")}</p>}
          <TierTable price={g.list_price_per_kg} tiers={g.tiers} reachedKg={kgNumber(g.filled_kg)} />
        </>
      )}
    </Page>
  );
}
