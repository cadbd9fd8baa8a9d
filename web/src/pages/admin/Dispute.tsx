/** #/admin/disputes/:id: the case (what the buyer said, the photos, the parties), the order's money
 * trail, and the resolution: release, refund or split, with the reason the API requires. */
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { ErrorMessage, Field, Loading, Page, Select, TableScroll } from "../../components/ui";
import { api, ApiError } from "../../lib/api";
import { cropName } from "../../lib/catalogue";
import { dateTime, ugx } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { AdminNav, Badge, Def, ReasonForm } from "./shared";
import type { DisputeCase, Order, Profile } from "./types";

function Party(props: { id: string; label: string }) {
  const profile = useAsync((signal) => api.get<Profile>(`/users/${props.id}`, { signal }), [props.id]);
  return (
    <Def term={props.label}>
      {profile.data?.fullName ?? "–"} <code>{props.id}</code>
      {profile.data?.district && <> · {profile.data.district}</>}
      <ErrorMessage error={profile.error} />
    </Def>
  );
}

function MoneyTrail(props: { orderId: string; version: number }) {
  const order = useAsync((signal) => api.get<Order>(`/orders/${props.orderId}`, { signal }), [props.orderId, props.version]);
  if (order.error) return <ErrorMessage error={order.error} />;
  if (!order.data) return <Loading />;
  const trail = order.data.money_trail;
  return (
    <>
      <dl class="admin-defs">
        <Def term={t("admin.order")}>
          {order.data.title} · <code>{order.data.id}</code>
        </Def>
        <Def term={t("admin.order.status")}>{t(`status.${order.data.status}`)}</Def>
        <Def term={t("admin.money.payment")}>{trail ? `${trail.payment_status} · ${ugx(trail.amount_ugx)}` : "–"}</Def>
        <Def term={t("admin.money.escrow")}>{trail?.escrow ?? "–"}</Def>
      </dl>
      {trail && trail.movements.length > 0 && (
        <TableScroll label={t("admin.money.title")}>
          <table class="admin-table">
            <caption>{t("admin.money.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("admin.when")}</th>
                <th scope="col">{t("admin.money.kind")}</th>
                <th scope="col">{t("admin.money.amount")}</th>
                <th scope="col">{t("admin.money.to_farmer")}</th>
                <th scope="col">{t("admin.money.to_buyer")}</th>
                <th scope="col">{t("admin.money.fee")}</th>
              </tr>
            </thead>
            <tbody>
              {trail.movements.map((m, i) => (
                <tr key={i}>
                  <td>{dateTime(m.at, lang.value)}</td>
                  <td>{m.kind}</td>
                  <td>{ugx(m.amount_ugx)}</td>
                  <td>{ugx(m.to_farmer_ugx)}</td>
                  <td>{ugx(m.to_buyer_ugx)}</td>
                  <td>{ugx(m.fee_ugx)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {order.data.audit.length > 0 && (
        <>
          <h3>{t("admin.order.history")}</h3>
          <ol class="admin-history">
            {order.data.audit.map((a, i) => (
              <li key={i}>
                {dateTime(a.at, lang.value)}: {t(`status.${a.to_status}`)} ({a.actor})
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}

function Resolve(props: { dispute: DisputeCase; onResolved: (d: DisputeCase) => void }) {
  const [outcome, setOutcome] = useState<"release" | "refund" | "split">("split");
  const [buyerAmount, setBuyerAmount] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>();
  return (
    <ReasonForm<DisputeCase>
      label={t("admin.disputes.resolve")}
      submit={async (reason, idempotencyKey) => {
        setFieldError(undefined);
        const body: Record<string, unknown> = { outcome, reason };
        if (outcome === "split") body.buyer_amount_ugx = buyerAmount === "" ? null : Number(buyerAmount);
        try {
          return await api.post<DisputeCase>(`/admin/disputes/${props.dispute.id}/resolve`, body, { idempotencyKey });
        } catch (err) {
          if (err instanceof ApiError) setFieldError(err.fieldErrors().buyer_amount_ugx);
          throw err;
        }
      }}
      onDone={props.onResolved}
    >
      <Select
        label={t("admin.disputes.outcome")}
        value={outcome}
        options={(["release", "refund", "split"] as const).map((o) => ({ value: o, label: t(`admin.outcome.${o}.long`) }))}
        onChange={(e) => setOutcome(e.currentTarget.value as typeof outcome)}
      />
      {outcome === "split" && (
        <Field
          label={t("admin.disputes.buyer_amount")}
          hint={t("admin.disputes.buyer_amount.hint", { total: ugx(props.dispute.total_ugx) })}
          type="number"
          inputMode="numeric"
          min={1}
          max={props.dispute.total_ugx - 1}
          step={1}
          required
          value={buyerAmount}
          error={fieldError}
          onInput={(e) => setBuyerAmount(e.currentTarget.value)}
        />
      )}
    </ReasonForm>
  );
}

export default function Dispute(props: { id: string }) {
  const [version, setVersion] = useState(0);
  const state = useAsync((signal) => api.get<DisputeCase>(`/admin/disputes/${props.id}`, { signal }), [props.id, version]);
  const d = state.data;
  return (
    <Page title={t("admin.dispute.title")}>
      <AdminNav />
      <p>
        <Link href="/admin/disputes">{t("admin.disputes.back")}</Link>
      </p>
      <ErrorMessage error={state.error} />
      {!d && state.loading && <Loading />}
      {d && (
        <>
          <dl class="admin-defs">
            <Def term={t("admin.disputes.status")}>
              <Badge value={d.status} />
            </Def>
            <Def term={t("admin.crop")}>{d.crop ? cropName(d.crop) : "–"}</Def>
            <Def term={t("admin.total")}>{ugx(d.total_ugx)}</Def>
            <Def term={t("admin.disputes.opened_at")}>{dateTime(d.opened_at, lang.value)}</Def>
            <Party id={d.buyer_id} label={t("admin.buyer")} />
            <Party id={d.farmer_id} label={t("admin.farmer")} />
          </dl>

          <h2>{t("admin.dispute.statements")}</h2>
          <h3>{t("admin.dispute.buyer_says")}</h3>
          <p>
            <strong>{t(`admin.reason.${d.reason}`)}</strong>
          </p>
          <blockquote class="admin-statement">{d.details || t("admin.dispute.no_details")}</blockquote>
          <h3>{t("admin.dispute.farmer_says")}</h3>
          <p class="empty">{t("admin.dispute.farmer_none")}</p>

          <h2>{t("admin.dispute.photos")}</h2>
          {d.photos.length ? (
            <ul class="admin-photos">
              {d.photos.map((p, i) => (
                <li key={p.url}>
                  <a href={p.url} target="_blank" rel="noopener noreferrer">
                    <img src={p.url} alt={t("admin.dispute.photo", { n: i + 1 })} loading="lazy" width={160} height={120} />
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">{t("admin.dispute.no_photos")}</p>
          )}

          <h2>{t("admin.money.title")}</h2>
          <MoneyTrail orderId={d.order_id} version={version} />

          <h2>{t("admin.dispute.resolution")}</h2>
          {d.resolution ? (
            <div role="status" class="admin-resolved">
              <p>
                <strong>{t("admin.dispute.resolved_as", { outcome: t(`admin.outcome.${d.resolution.outcome}`) })}</strong>
              </p>
              <dl class="admin-defs">
                <Def term={t("admin.buyer_gets")}>{ugx(d.resolution.buyer_amount_ugx)}</Def>
                <Def term={t("admin.farmer_gets")}>{ugx(d.resolution.farmer_amount_ugx)}</Def>
                <Def term={t("admin.reason")}>{d.resolution.reason}</Def>
                <Def term={t("admin.when")}>{dateTime(d.resolution.resolved_at, lang.value)}</Def>
                <Def term={t("admin.by")}>
                  <code>{d.resolution.resolved_by}</code>
                </Def>
              </dl>
            </div>
          ) : null}
          {/* A stale page (another admin resolved it meanwhile) still offers the form: the API's 409 says so. */}
          {!d.resolution && <Resolve dispute={d} onResolved={() => setVersion((v) => v + 1)} />}
        </>
      )}
    </Page>
  );
}
