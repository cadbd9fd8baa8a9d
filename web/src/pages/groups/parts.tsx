/** What the listing page and the groups pages share: a listing's tier table, a group's fill bar,
 * and a group's card (fill, tier, deadline, members). */
import type { ComponentChildren } from "preact";
import { Link } from "wouter-preact";
import { TableScroll } from "../../components/ui";
import { cropName } from "../../lib/catalogue";
import { dateTime, kg, perKg } from "../../lib/format";
import { lang, t } from "../../lib/i18n";
import "./groups.css";
import "./messages";
import { fillPercent, roomKg } from "./logic";
import { kgNumber, tierFor, tierPrice, type PriceTier } from "./tiers";
import type { Group } from "./types";

/** The listing's prices by quantity: the list price, then each tier's. `reached` marks the tier a
 * quantity (a group's fill) reaches. */
export function TierTable(props: { price: number; tiers: PriceTier[]; reachedKg?: number; id?: string }) {
  const reached = props.reachedKg === undefined ? null : tierFor(props.tiers, props.reachedKg);
  const id = props.id ?? "tiers-title";
  return (
    <section class="tiers" aria-labelledby={id}>
      <h2 id={id}>{t("tiers.title")}</h2>
      <TableScroll label={t("tiers.title")}>
        <table>
          <caption class="muted">{t("tiers.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("tiers.from")}</th>
              <th scope="col" class="num">
                {t("tiers.off")}
              </th>
              <th scope="col" class="num">
                {t("tiers.price")}
              </th>
            </tr>
          </thead>
          <tbody>
            <tr class={props.reachedKg !== undefined && !reached ? "tier-reached" : undefined}>
              <th scope="row">{t("tiers.list")}</th>
              <td class="num">–</td>
              <td class="num">{perKg(props.price)}</td>
            </tr>
            {props.tiers.map((tier) => (
              <tr key={String(tier.min_kg)} class={reached === tier ? "tier-reached" : undefined}>
                <th scope="row">{t("tiers.row", { kg: kg(kgNumber(tier.min_kg)) })}</th>
                <td class="num">{t("tiers.pct", { pct: tier.discount_percent })}</td>
                <td class="num">{perKg(tierPrice(props.price, tier))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}

/** The group's fill: a progress bar named by what it shows, and the same in words. */
export function FillBar(props: { group: Group }) {
  const g = props.group;
  const pct = fillPercent(g);
  const text = t("groups.fill", { filled: kg(kgNumber(g.filled_kg)), target: kg(kgNumber(g.target_kg)), pct });
  return (
    <div class="fill">
      <progress max={100} value={pct} aria-label={t("groups.fill.label")} aria-valuetext={text} />
      <p class="fill-text">{text}</p>
    </div>
  );
}

/** The tier the fill reaches and what the next one needs, in words. */
export function TierLine(props: { group: Group }) {
  const g = props.group;
  const next = g.next_tier;
  return (
    <p class="tier-line">
      {g.tier
        ? t("groups.tier.reached", { pct: g.tier.discount_percent, price: perKg(g.price_per_kg) })
        : t("groups.tier.none", { price: perKg(g.list_price_per_kg) })}
      {next && g.status === "open" && (
        <>
          {" "}
          {t("groups.tier.next", {
            kg: kg(Math.max(0, Math.round((kgNumber(next.min_kg) - kgNumber(g.filled_kg)) * 1000) / 1000)),
            pct: next.discount_percent,
          })}
        </>
      )}
    </p>
  );
}

export function GroupStatusBadge(props: { status: string }) {
  return <span class={`status group-${props.status}`}>{t(`groups.status.${props.status}`)}</span>;
}

/** A group in a list: its listing, fill, tier, deadline and members; `children` are its actions. */
export function GroupCard(props: { group: Group; heading?: "h2" | "h3" | "h4"; children?: ComponentChildren }) {
  const g = props.group;
  const H = props.heading ?? "h3";
  return (
    <li class="card group-card">
      <H class="card-title">
        <Link href={`/groups/${g.id}`}>{t("groups.card.title", { crop: cropName(g.crop), district: g.district, target: kg(kgNumber(g.target_kg)) })}</Link>
      </H>
      <p class="muted">{g.title}</p>
      <FillBar group={g} />
      <TierLine group={g} />
      <p>
        <GroupStatusBadge status={g.status} /> · {t("groups.members", { n: g.members })}
        {g.status === "open" && <> · {t("groups.room", { kg: kg(roomKg(g)) })}</>}
      </p>
      <p class="muted">{t("groups.deadline.at", { when: dateTime(g.deadline, lang.value) })}</p>
      {g.mine && g.mine.status !== "left" && <p class="mine">{t("groups.mine.short", { kg: kg(kgNumber(g.mine.quantity_kg)) })}</p>}
      {props.children}
    </li>
  );
}
