/** What the co-ops pages share: a member's commit form, the commitments table, the allocations with
 * the member's confirm button, and the small status badges. */
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, ErrorMessage, Field, Select, TableScroll } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { me } from "../../lib/auth";
import { cropName } from "../../lib/catalogue";
import { date, kg, ugx } from "../../lib/format";
import { useAction } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import "./coops.css";
import "./messages";
import { canConfirm } from "./logic";
import type { Allocation, Commitment, Coop } from "./types";

const kgOf = (value: string | number | null | undefined) => Number(value ?? 0);

export function AllocationBadge(props: { status: string }) {
  return <span class={`status alloc-${props.status}`}>{t(`coops.alloc.status.${props.status}`)}</span>;
}

export function PoolBadge(props: { status: string }) {
  return <span class={`status coop-status-${props.status}`}>{t(`coops.pool.status.${props.status}`)}</span>;
}

/** A member commits a quantity of one of the coop's crops (`POST /coops/{id}/commitments`). */
export function CommitForm(props: { coops: Coop[]; onDone: (c: Commitment) => void }) {
  const [coopId, setCoopId] = useState(props.coops[0]?.id ?? "");
  const coop = props.coops.find((c) => c.id === coopId) ?? props.coops[0];
  const [crop, setCrop] = useState("");
  const [quantity, setQuantity] = useState("");
  const [key, setKey] = useState(newIdempotencyKey);
  const [done, setDone] = useState<string | null>(null);
  const commit = useAction(async () => {
    const made = await api.post<Commitment>(
      `/coops/${encodeURIComponent(coop.id)}/commitments`,
      { crop: crop || coop.crops[0], quantity_kg: quantity.trim() },
      { idempotencyKey: key },
    );
    setKey(newIdempotencyKey());
    setQuantity("");
    setDone(t("coops.commit.done", { kg: kg(kgOf(made.quantity_kg)), crop: cropName(made.crop), coop: coop.name }));
    props.onDone(made);
    return made;
  });
  const fields = commit.error instanceof ApiError ? commit.error.fieldErrors() : {};
  if (!coop) return null;
  return (
    <form
      class="coop-form"
      aria-labelledby="commit-title"
      onSubmit={(e) => {
        e.preventDefault();
        setDone(null);
        void commit.run();
      }}
    >
      <h2 id="commit-title">{t("coops.commit.title")}</h2>
      <p class="muted">{t("coops.commit.intro")}</p>
      {props.coops.length > 1 && (
        <Select
          label={t("coops.commit.coop")}
          value={coop.id}
          options={props.coops.map((c) => ({ value: c.id, label: c.name }))}
          onChange={(e) => {
            setCoopId((e.currentTarget as HTMLSelectElement).value);
            setCrop("");
          }}
        />
      )}
      <div class="row">
        <Select
          label={t("coops.commit.crop")}
          value={crop || coop.crops[0]}
          options={coop.crops.map((c) => ({ value: c, label: cropName(c) }))}
          error={fields.crop}
          onChange={(e) => setCrop((e.currentTarget as HTMLSelectElement).value)}
        />
        <Field
          label={t("coops.commit.quantity")}
          type="number"
          inputMode="decimal"
          min={0.001}
          step={0.001}
          required
          value={quantity}
          error={fields.quantity_kg}
          onInput={(e) => setQuantity((e.currentTarget as HTMLInputElement).value)}
        />
      </div>
      {done && (
        <p class="notice" role="status">
          {done}
        </p>
      )}
      <ErrorMessage error={commit.error} />
      <Button type="submit" busy={commit.busy}>
        {t("coops.commit.submit")}
      </Button>
    </form>
  );
}

/** Commitments as a table; `names` shows whose each is (a manager's view), else they are the caller's. */
export function CommitmentsTable(props: { items: Commitment[]; label: string; names?: Map<string, string>; coops?: Map<string, string> }) {
  return (
    <TableScroll label={props.label}>
      <table>
        <thead>
          <tr>
            {props.names && <th scope="col">{t("coops.member")}</th>}
            {props.coops && <th scope="col">{t("coops.coop")}</th>}
            <th scope="col">{t("coops.crop")}</th>
            <th scope="col" class="num">
              {t("coops.committed")}
            </th>
            <th scope="col" class="num">
              {t("coops.allocated")}
            </th>
            <th scope="col">{t("coops.pooled")}</th>
            <th scope="col">{t("coops.date")}</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((c) => (
            <tr key={c.id}>
              {props.names && <td>{props.names.get(c.member_id) ?? t("coops.member.unnamed")}</td>}
              {props.coops && <td>{props.coops.get(c.coop_id) ?? c.coop_id}</td>}
              <td>{cropName(c.crop)}</td>
              <td class="num">{kg(kgOf(c.quantity_kg))}</td>
              <td class="num">{kg(kgOf(c.allocated_kg))}</td>
              <td>{c.listing_id ? <Link href={`/listings/${c.listing_id}`}>{t("coops.pooled.yes")}</Link> : t("coops.pooled.no")}</td>
              <td>{date(c.created_at, lang.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** One allocation: what the member supplies for which order, its status and share; the member's own
 * open allocation has a confirm button (`POST /coops/{id}/allocations/{order_id}/confirm`). */
export function AllocationItem(props: { item: Allocation; name?: string; onConfirmed: (a: Allocation) => void }) {
  const a = props.item;
  const confirm = useAction(async () => {
    const confirmed = await api.post<Allocation>(`/coops/${encodeURIComponent(a.coop_id)}/allocations/${encodeURIComponent(a.order_id)}/confirm`);
    props.onConfirmed(confirmed);
    return confirmed;
  });
  const what = t("coops.alloc.line", { kg: kg(kgOf(a.quantity_kg)), crop: cropName(a.crop) });
  return (
    <li class="card">
      <p>
        <strong>{props.name ? `${props.name}: ${what}` : what}</strong>
      </p>
      <p>
        <AllocationBadge status={a.status} /> {a.confirmed_by_member ? <span class="confirmed">{t("coops.alloc.confirmed")}</span> : <span class="muted">{t("coops.alloc.unconfirmed")}</span>}
      </p>
      <p class="muted">{t("coops.alloc.order", { order: a.order_id.slice(-6).toUpperCase(), when: date(a.created_at, lang.value) })}</p>
      {a.share_ugx !== null && a.share_ugx !== undefined && <p>{t("coops.alloc.share", { amount: ugx(a.share_ugx) })}</p>}
      {canConfirm(a, me.value?.id) && (
        <>
          <ErrorMessage error={confirm.error} />
          <Button busy={confirm.busy} onClick={() => void confirm.run()} aria-label={t("coops.alloc.confirm.named", { what })}>
            {t("coops.alloc.confirm")}
          </Button>
        </>
      )}
    </li>
  );
}
