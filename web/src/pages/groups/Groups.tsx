/** `#/groups`: a buyer's bulk-buying groups (`GET /groups/mine`, paged) and the groups recommended
 * for them (`GET /groups/recommended`): groups to join and groups to start, each with the API's
 * plain-language explanation in the buyer's language. */
import { useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, Empty, ErrorMessage, Loading, Page } from "../../components/ui";
import { api } from "../../lib/api";
import { cropName } from "../../lib/catalogue";
import { kg } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import "./groups.css";
import "./messages";
import { GroupCard } from "./parts";
import { kgNumber } from "./tiers";
import type { Group, GroupPage, Recommendation, Recommendations } from "./types";

function Mine() {
  const first = useAsync((signal) => api.get<GroupPage>("/groups/mine", { signal }), []);
  const [more, setMore] = useState<Group[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  useEffect(() => {
    setMore([]);
    setCursor(first.data?.next_cursor ?? null);
  }, [first.data]);
  const next = useAction(async () => {
    const page = await api.get<GroupPage>("/groups/mine", { query: { cursor } });
    setMore((m) => [...m, ...page.items]);
    setCursor(page.next_cursor);
    return page;
  });
  const items = [...(first.data?.items ?? []), ...more];
  return (
    <section aria-labelledby="mine-title">
      <h2 id="mine-title">{t("groups.mine.title")}</h2>
      <ErrorMessage error={first.error} />
      {first.loading && !first.data && <Loading />}
      {first.data &&
        (items.length ? (
          <ul class="group-list" aria-label={t("groups.mine.title")}>
            {items.map((g) => (
              <GroupCard key={g.id} group={g} />
            ))}
          </ul>
        ) : (
          <Empty>{t("groups.mine.none")}</Empty>
        ))}
      <ErrorMessage error={next.error} />
      {cursor && (
        <Button kind="secondary" busy={next.busy} onClick={() => void next.run()}>
          {t("common.more")}
        </Button>
      )}
    </section>
  );
}

function RecommendationCard(props: { item: Recommendation }) {
  const r = props.item;
  const place = { crop: cropName(r.crop), district: r.district };
  return (
    <li class="card">
      <h3 class="card-title">{t(r.action === "join" ? "groups.rec.join" : "groups.rec.start", place)}</h3>
      <p class="explain">{r.explanation}</p>
      <p>
        {r.saving_percent > 0 && <strong>{t("groups.rec.save", { pct: r.saving_percent })}</strong>}
        {r.saving_percent > 0 && " · "}
        {t("groups.rec.suggested", { kg: kg(kgNumber(r.suggested_kg)) })}
      </p>
      <p>
        {r.action === "join" && r.group_id ? (
          <Link href={`/groups/${r.group_id}`}>{t("groups.rec.see_group", place)}</Link>
        ) : (
          <Link href={`/listings/${r.listing_id}`}>{t("groups.rec.see_listing", place)}</Link>
        )}
      </p>
    </li>
  );
}

function Recommended() {
  // the explanations come in the caller's language: ask again when it changes
  const recs = useAsync((signal) => api.get<Recommendations>("/groups/recommended", { signal }), [lang.value]);
  const items = recs.data?.items ?? [];
  return (
    <section aria-labelledby="rec-title">
      <h2 id="rec-title">{t("groups.rec.title")}</h2>
      {recs.data?.cluster && <p class="muted">{t("groups.rec.cluster", { cluster: recs.data.cluster })}</p>}
      <ErrorMessage error={recs.error} />
      {recs.loading && !recs.data && <Loading />}
      {recs.data &&
        (items.length ? (
          <ul class="cards" aria-label={t("groups.rec.title")}>
            {items.map((r) => (
              <RecommendationCard key={`${r.action}:${r.group_id ?? r.listing_id}`} item={r} />
            ))}
          </ul>
        ) : (
          <Empty>{t("groups.rec.none")}</Empty>
        ))}
    </section>
  );
}

export default function Groups() {
  return (
    <Page title={t("groups.title")}>
      <p class="muted">{t("groups.intro")}</p>
      <Mine />
      <Recommended />
    </Page>
  );
}
