/** #/admin/payments: payments that disagree with their provider; accept the provider's word or
 * refund, with a reason (POST /admin/payments/{id}/resolve). */
import { useState } from "preact/hooks";
import { Empty, ErrorMessage, Loading, Page, Select } from "../../components/ui";
import { api } from "../../lib/api";
import { dateTime } from "../../lib/format";
import { lang, t } from "../../lib/i18n";
import { AdminNav, Badge, Def, MoreButton, ReasonForm, usePaged } from "./shared";
import type { Mismatch } from "./types";

function Case(props: { item: Mismatch }) {
  const [item, setItem] = useState(props.item);
  const [action, setAction] = useState<"accept" | "refund">("accept");
  return (
    <li class="admin-item">
      <h2>
        {t(`admin.mismatch.${item.kind}`)} <Badge value={item.status} />
      </h2>
      <dl class="admin-defs">
        <Def term={t("admin.money.payment")}>
          <code>{item.payment_id}</code>
        </Def>
        <Def term={t("admin.order")}>
          <code>{item.order_id}</code>
        </Def>
        <Def term={t("admin.mismatch.ours")}>{item.ours}</Def>
        <Def term={t("admin.mismatch.provider")}>{item.provider_state}</Def>
        <Def term={t("admin.money.escrow")}>{item.escrow}</Def>
        <Def term={t("admin.mismatch.note")}>{item.note}</Def>
        <Def term={t("admin.mismatch.seen")}>
          {t("admin.mismatch.seen_times", { n: item.seen, first: dateTime(item.first_at, lang.value), last: dateTime(item.last_at, lang.value) })}
        </Def>
      </dl>
      {item.resolution ? (
        <p role="status">
          {t("admin.mismatch.resolved", { action: t(`admin.mismatch.action.${item.resolution.action}`), reason: item.resolution.reason })}
        </p>
      ) : (
        <ReasonForm<{ case: Mismatch; refund_status: string | null }>
          label={t("admin.mismatch.resolve")}
          submit={(reason, idempotencyKey) => api.post(`/admin/payments/${item.payment_id}/resolve`, { action, reason }, { idempotencyKey })}
          onDone={(r) => setItem(r.case)}
        >
          <Select
            label={t("admin.mismatch.action")}
            value={action}
            options={(["accept", "refund"] as const).map((a) => ({ value: a, label: t(`admin.mismatch.action.${a}.long`) }))}
            onChange={(e) => setAction(e.currentTarget.value as "accept" | "refund")}
          />
        </ReasonForm>
      )}
    </li>
  );
}

export default function Payments() {
  const list = usePaged<Mismatch>("/admin/payments/mismatches", { limit: 20 });
  return (
    <Page title={t("admin.payments.title")}>
      <AdminNav />
      <ErrorMessage error={list.error} />
      {list.loading && !list.items.length && <Loading />}
      {!list.loading && !list.error && !list.items.length && <Empty>{t("admin.payments.empty")}</Empty>}
      <ul class="admin-items">
        {list.items.map((m) => (
          <Case key={m.payment_id} item={m} />
        ))}
      </ul>
      <MoreButton state={list} />
    </Page>
  );
}
