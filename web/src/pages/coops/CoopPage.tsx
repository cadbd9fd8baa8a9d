/** `#/coops/:id`: one co-op (`GET /coops/{id}`). Everyone in it sees the co-op and their own part
 * (commitments, allocations to confirm); a manager (and an admin) sees the members and adds one by
 * phone (`POST /coops/{id}/members`), the pool by crop with every commitment, publishes a pooled
 * listing of a crop's open commitments (`POST /coops/{id}/listings`, 202: the market lists it
 * within a second), and follows each order's allocations to the members. */
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, Empty, ErrorMessage, Field, Loading, Page, Select, TableScroll, TextArea } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { hasRole, me } from "../../lib/auth";
import { cropName } from "../../lib/catalogue";
import { date, kg, ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { TiersEditor } from "../farmer/TiersEditor";
import { tierProblem, tiersBody, type TierDraft } from "../groups/tiers";
import "./coops.css";
import "./messages";
import { allocationsByOrder, feeText, phoneInput, poolByCrop } from "./logic";
import { AllocationBadge, AllocationItem, CommitForm, CommitmentsTable, PoolBadge } from "./parts";
import type { CoopDetail, CoopRole, Member, PooledListing } from "./types";

function AddMember(props: { coop: CoopDetail; onAdded: () => void }) {
  const [phone, setPhone] = useState("");
  const [role, setRole] = useState<CoopRole>("member");
  const [done, setDone] = useState<string | null>(null);
  const add = useAction(async () => {
    const member = await api.post<Member>(`/coops/${encodeURIComponent(props.coop.id)}/members`, { phone: phoneInput(phone), role });
    setPhone("");
    setDone(t("coops.members.added", { name: member.name || t("coops.member.unnamed") }));
    props.onAdded();
    return member;
  });
  const fields = add.error instanceof ApiError ? add.error.fieldErrors() : {};
  return (
    <form
      class="coop-form"
      aria-labelledby="add-member-title"
      onSubmit={(e) => {
        e.preventDefault();
        setDone(null);
        void add.run();
      }}
    >
      <h3 id="add-member-title">{t("coops.members.add")}</h3>
      <p class="muted">{t("coops.members.add.intro")}</p>
      <div class="row">
        <Field label={t("coops.members.phone")} type="tel" inputMode="tel" autoComplete="off" required maxLength={20} value={phone} hint={t("coops.members.phone.hint")} error={fields.phone} onInput={(e) => setPhone((e.currentTarget as HTMLInputElement).value)} />
        <Select label={t("coops.members.role")} value={role} options={(["member", "manager"] as const).map((r) => ({ value: r, label: t(`coops.role.${r}`) }))} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as CoopRole)} />
      </div>
      {done && (
        <p class="notice" role="status">
          {done}
        </p>
      )}
      <ErrorMessage error={add.error} />
      <Button type="submit" busy={add.busy}>
        {t("coops.members.add.submit")}
      </Button>
    </form>
  );
}

function Publish(props: { coop: CoopDetail; onPublished: () => void }) {
  const coop = props.coop;
  const pools = poolByCrop(coop.commitments);
  const firstOpen = pools.find((p) => p.open_kg > 0)?.crop ?? coop.crops[0];
  const [crop, setCrop] = useState(firstOpen);
  const [title, setTitle] = useState("");
  const [price, setPrice] = useState("");
  const [description, setDescription] = useState("");
  const [tiers, setTiers] = useState<TierDraft[]>([]);
  const [tierError, setTierError] = useState<string | null>(null);
  const [key, setKey] = useState(newIdempotencyKey);
  const [published, setPublished] = useState<PooledListing | null>(null);
  const publish = useAction(async () => {
    const body: Record<string, unknown> = { crop, title: title.trim(), price_per_kg: Number(price) };
    if (tiers.length) body.price_tiers = tiersBody(tiers);
    if (description.trim()) body.description = description.trim();
    const pool = await api.post<PooledListing>(`/coops/${encodeURIComponent(coop.id)}/listings`, body, { idempotencyKey: key });
    setKey(newIdempotencyKey());
    setPublished(pool);
    props.onPublished();
    return pool;
  });
  const fields = publish.error instanceof ApiError ? publish.error.fieldErrors() : {};
  const open = pools.find((p) => p.crop === crop)?.open_kg ?? 0;
  return (
    <form
      class="coop-form"
      aria-labelledby="publish-title"
      onSubmit={(e) => {
        e.preventDefault();
        const problem = tierProblem(tiers);
        setTierError(problem ? t(problem.key, problem.vars) : null);
        if (problem) return;
        setPublished(null);
        void publish.run();
      }}
    >
      <h3 id="publish-title">{t("coops.publish.title")}</h3>
      <p class="muted">{t("coops.publish.intro")}</p>
      <Select label={t("coops.publish.crop")} value={crop} options={coop.crops.map((c) => ({ value: c, label: cropName(c) }))} error={fields.crop} onChange={(e) => setCrop((e.currentTarget as HTMLSelectElement).value)} />
      <p aria-live="polite">{t("coops.publish.open", { kg: kg(open), crop: cropName(crop) })}</p>
      <Field label={t("coops.publish.listing_title")} required maxLength={120} value={title} error={fields.title} onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} />
      <Field label={t("coops.publish.price")} type="number" inputMode="numeric" min={1} step={1} required value={price} error={fields.price_per_kg} onInput={(e) => setPrice((e.currentTarget as HTMLInputElement).value)} />
      <TiersEditor
        tiers={tiers}
        price={Number(price) || 0}
        onChange={(next) => {
          setTierError(null);
          setTiers(next);
        }}
        error={tierError ?? fields.price_tiers ?? fields.min_kg ?? fields.discount_percent}
      />
      <TextArea label={t("coops.publish.description")} maxLength={2000} rows={3} value={description} error={fields.description} onInput={(e) => setDescription((e.currentTarget as HTMLTextAreaElement).value)} />
      {published && (
        <p class="notice" role="status">
          {t("coops.publish.done", { kg: kg(Number(published.quantity_kg)), n: published.commitments })}{" "}
          <Link href={`/listings/${published.listing_id}`}>{t("coops.publish.see")}</Link>
        </p>
      )}
      <ErrorMessage error={publish.error} />
      <Button type="submit" busy={publish.busy}>
        {t("coops.publish.submit")}
      </Button>
    </form>
  );
}

function Pool(props: { coop: CoopDetail; names: Map<string, string> }) {
  const pools = poolByCrop(props.coop.commitments);
  return (
    <section aria-labelledby="pool-title">
      <h2 id="pool-title">{t("coops.pool.title")}</h2>
      {pools.length ? (
        <>
          <TableScroll label={t("coops.pool.by_crop")}>
            <table>
              <caption class="muted">{t("coops.pool.by_crop")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("coops.crop")}</th>
                  <th scope="col" class="num">
                    {t("coops.pool.commitments")}
                  </th>
                  <th scope="col" class="num">
                    {t("coops.committed")}
                  </th>
                  <th scope="col" class="num">
                    {t("coops.allocated")}
                  </th>
                  <th scope="col" class="num">
                    {t("coops.pool.open")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {pools.map((p) => (
                  <tr key={p.crop}>
                    <th scope="row">{cropName(p.crop)}</th>
                    <td class="num">{p.commitments}</td>
                    <td class="num">{kg(p.committed_kg)}</td>
                    <td class="num">{kg(p.allocated_kg)}</td>
                    <td class="num">{kg(p.open_kg)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <CommitmentsTable items={props.coop.commitments} label={t("coops.commitments.all")} names={props.names} />
        </>
      ) : (
        <Empty>{t("coops.pool.none")}</Empty>
      )}
    </section>
  );
}

function Pools(props: { pools: PooledListing[] }) {
  return (
    <section aria-labelledby="pools-title">
      <h2 id="pools-title">{t("coops.pools.title")}</h2>
      {props.pools.length ? (
        <ul class="coop-list" aria-label={t("coops.pools.title")}>
          {props.pools.map((p) => (
            <li key={p.listing_id} class="card">
              <p>
                <Link href={`/listings/${p.listing_id}`}>{t("coops.pools.line", { kg: kg(Number(p.quantity_kg)), crop: cropName(p.crop) })}</Link> <PoolBadge status={p.status} />
              </p>
              <p class="muted">{t("coops.pools.from", { n: p.commitments, when: date(p.created_at, lang.value) })}</p>
            </li>
          ))}
        </ul>
      ) : (
        <Empty>{t("coops.pools.none")}</Empty>
      )}
    </section>
  );
}

function OrdersAllocated(props: { coop: CoopDetail; names: Map<string, string> }) {
  const orders = allocationsByOrder(props.coop.allocations);
  return (
    <section aria-labelledby="alloc-title">
      <h2 id="alloc-title">{t("coops.alloc.orders")}</h2>
      <p class="muted">{t("coops.alloc.rule")}</p>
      {orders.length ? (
        orders.map((o) => (
          <div class="alloc-order" key={o.order_id}>
            <TableScroll label={t("coops.alloc.order.title", { order: o.order_id.slice(-6).toUpperCase(), kg: kg(o.total_kg), crop: cropName(o.crop) })}>
              <table>
                <caption>
                  <strong>{t("coops.alloc.order.title", { order: o.order_id.slice(-6).toUpperCase(), kg: kg(o.total_kg), crop: cropName(o.crop) })}</strong>
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t("coops.member")}</th>
                    <th scope="col" class="num">
                      {t("coops.alloc.kg")}
                    </th>
                    <th scope="col">{t("coops.alloc.status")}</th>
                    <th scope="col">{t("coops.alloc.member_ok")}</th>
                    <th scope="col" class="num">
                      {t("coops.alloc.share.col")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {o.items.map((a) => (
                    <tr key={a.member_id}>
                      <th scope="row">{props.names.get(a.member_id) ?? t("coops.member.unnamed")}</th>
                      <td class="num">{kg(Number(a.quantity_kg))}</td>
                      <td>
                        <AllocationBadge status={a.status} />
                      </td>
                      <td>{a.confirmed_by_member ? t("coops.yes") : t("coops.no")}</td>
                      <td class="num">{a.share_ugx === null || a.share_ugx === undefined ? "–" : ugx(a.share_ugx)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </div>
        ))
      ) : (
        <Empty>{t("coops.alloc.none_orders")}</Empty>
      )}
    </section>
  );
}

export default function CoopPage(props: { id: string }) {
  const loaded = useAsync((signal) => api.get<CoopDetail>(`/coops/${encodeURIComponent(props.id)}`, { signal }), [props.id, me.value?.id]);
  const coop = loaded.data;
  const user = me.value;
  const manager = !!coop && (coop.my_role === "manager" || hasRole(user, "admin"));
  const names = new Map((coop?.members ?? []).map((m) => [m.user_id, m.name || t("coops.member.unnamed")]));
  if (user) names.set(user.id, t("coops.member.you"));
  const myCommitments = (coop?.commitments ?? []).filter((c) => c.member_id === user?.id);
  const myAllocations = (coop?.allocations ?? []).filter((a) => a.member_id === user?.id);
  return (
    <Page title={coop ? coop.name : t("coops.page.loading")}>
      <p>
        <Link href="/coops">{t("coops.back")}</Link>
      </p>
      <ErrorMessage error={loaded.error} />
      {!coop && loaded.loading && <Loading />}
      {coop && (
        <>
          <dl class="facts">
            <dt>{t("coops.district")}</dt>
            <dd>{coop.district}</dd>
            <dt>{t("coops.crops")}</dt>
            <dd>{coop.crops.map(cropName).join(", ")}</dd>
            <dt>{t("coops.fee.label")}</dt>
            <dd>{feeText(coop.fee_percent)}</dd>
            <dt>{t("coops.members.label")}</dt>
            <dd>{coop.member_count}</dd>
            {coop.my_role && (
              <>
                <dt>{t("coops.role.label")}</dt>
                <dd>{t(`coops.role.${coop.my_role}`)}</dd>
              </>
            )}
          </dl>
          {coop.my_role && <CommitForm coops={[coop]} onDone={() => loaded.reload()} />}
          {manager ? (
            <>
              <section aria-labelledby="members-title">
                <h2 id="members-title">{t("coops.members.title")}</h2>
                <ul class="coop-list" aria-label={t("coops.members.title")}>
                  {coop.members.map((m) => (
                    <li key={m.user_id}>
                      {m.name || t("coops.member.unnamed")} · {t(`coops.role.${m.role}`)} · <span class="muted">{t("coops.members.since", { when: date(m.joined_at, lang.value) })}</span>
                    </li>
                  ))}
                </ul>
                <AddMember coop={coop} onAdded={() => loaded.reload()} />
              </section>
              <Pool coop={coop} names={names} />
              <section aria-labelledby="publish-section-title">
                <h2 id="publish-section-title">{t("coops.publish.section")}</h2>
                <Publish coop={coop} onPublished={() => loaded.reload()} />
              </section>
              <Pools pools={coop.pools} />
              <OrdersAllocated coop={coop} names={names} />
            </>
          ) : null}
          {coop.my_role && (
            <>
              <section aria-labelledby="my-part-title">
                <h2 id="my-part-title">{t("coops.commitments.mine")}</h2>
                {myCommitments.length ? <CommitmentsTable items={myCommitments} label={t("coops.commitments.mine")} /> : <Empty>{t("coops.commitments.none")}</Empty>}
              </section>
              <section aria-labelledby="my-alloc-title">
                <h2 id="my-alloc-title">{t("coops.alloc.mine")}</h2>
                {myAllocations.length ? (
                  <ul class="coop-list" aria-label={t("coops.alloc.mine")}>
                    {myAllocations.map((a) => (
                      <AllocationItem key={a.order_id} item={a} onConfirmed={() => loaded.reload()} />
                    ))}
                  </ul>
                ) : (
                  <Empty>{t("coops.alloc.none")}</Empty>
                )}
              </section>
            </>
          )}
          {!manager && coop.pools.length > 0 && <Pools pools={coop.pools} />}
        </>
      )}
    </Page>
  );
}
