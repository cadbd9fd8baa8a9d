/** `#/`: the market. Browse and search listings (the API's `q` tolerates typos), filter by crop,
 * district and price, sort, and page on with "Show more". The last answer is kept for offline. */
import { useState } from "preact/hooks";
import { Button, Empty, ErrorMessage, Field, Loading, Page, SavedNotice, Select } from "../../components/ui";
import { api } from "../../lib/api";
import { catalogue, cropName } from "../../lib/catalogue";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import "./buyer.css";
import "./messages";
import { ListingCard } from "./parts";
import type { Listing, Page as ListPage } from "./types";

interface Filters {
  q: string;
  crop: string;
  district: string;
  min_price: string;
  max_price: string;
  sort: string;
  farmer_id: string;
}

const EMPTY: Filters = { q: "", crop: "", district: "", min_price: "", max_price: "", sort: "newest", farmer_id: "" };

function initialFilters(): Filters {
  const params = new URLSearchParams(location.search);
  const out = { ...EMPTY };
  for (const key of Object.keys(EMPTY) as (keyof Filters)[]) {
    const value = params.get(key);
    if (value) out[key] = value;
  }
  return out;
}

function query(filters: Filters, cursor?: string | null) {
  return {
    q: filters.q.trim().length >= 2 ? filters.q.trim() : undefined,
    crop: filters.crop,
    district: filters.district,
    min_price: filters.min_price,
    max_price: filters.max_price,
    sort: filters.sort,
    farmer_id: filters.farmer_id,
    limit: 20,
    cursor: cursor ?? undefined,
  };
}

export default function Market() {
  const [draft, setDraft] = useState<Filters>(initialFilters);
  const [filters, setFilters] = useState<Filters>(draft);
  const [more, setMore] = useState<{ items: Listing[]; cursor: string | null } | null>(null);
  const key = JSON.stringify(filters);
  const first = useAsync((signal) => api.get<ListPage<Listing>>("/listings/", { auth: false, query: query(filters), signal }), [key], `listings:${key}`);
  const next = useAction(async (cursor: string) => {
    const page = await api.get<ListPage<Listing>>("/listings/", { auth: false, query: query(filters, cursor) });
    setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], cursor: page.next_cursor }));
  });

  const set = (name: keyof Filters) => (e: Event) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value });
  const apply = (e: Event) => {
    e.preventDefault();
    setMore(null);
    next.reset();
    setFilters({ ...draft });
  };
  const clear = () => {
    setMore(null);
    setDraft(EMPTY);
    setFilters(EMPTY);
  };

  const crops = (catalogue.value?.crops ?? []).map((c) => ({ value: c.id, label: lang.value === "lg" ? c.luganda : c.name }));
  crops.sort((a, b) => a.label.localeCompare(b.label));
  const districts = (catalogue.value?.districts ?? []).map((d) => ({ value: d.name, label: d.name }));
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.cursor : first.data?.next_cursor;
  const filtered = Object.entries(filters).some(([k, v]) => k !== "sort" && v !== "");

  return (
    <Page title={t("buyer.market.title")}>
      <form class="filters" role="search" aria-label={t("buyer.search.label")} onSubmit={apply}>
        <Field label={t("buyer.search")} type="search" name="q" value={draft.q} maxLength={60} placeholder={t("buyer.search.hint")} onInput={set("q")} />
        <div class="row">
          <Select label={t("buyer.crop")} name="crop" value={draft.crop} options={crops} placeholder={t("buyer.any")} onChange={set("crop")} />
          <Select label={t("buyer.district")} name="district" value={draft.district} options={districts} placeholder={t("buyer.any")} onChange={set("district")} />
        </div>
        <div class="row">
          <Field label={t("buyer.price.min")} type="number" name="min_price" inputMode="numeric" min={0} step={1} value={draft.min_price} onInput={set("min_price")} />
          <Field label={t("buyer.price.max")} type="number" name="max_price" inputMode="numeric" min={0} step={1} value={draft.max_price} onInput={set("max_price")} />
          <Select
            label={t("buyer.sort")}
            name="sort"
            value={draft.sort}
            options={[
              { value: "newest", label: t("buyer.sort.newest") },
              { value: "price", label: t("buyer.sort.price") },
              { value: "-price", label: t("buyer.sort.-price") },
            ]}
            onChange={set("sort")}
          />
        </div>
        <div class="row actions">
          <Button type="submit">{t("buyer.search.go")}</Button>
          {filtered && (
            <Button kind="secondary" onClick={clear}>
              {t("buyer.search.clear")}
            </Button>
          )}
        </div>
        {filters.farmer_id && <p class="muted">{t("buyer.search.one_farmer")}</p>}
      </form>
      <SavedNotice savedAt={first.savedAt} />
      <ErrorMessage error={first.error} />
      {first.loading && !first.data ? (
        <Loading />
      ) : first.data ? (
        <section aria-label={t("buyer.results")} aria-busy={first.loading}>
          <p class="muted" role="status">
            {items.length ? t("buyer.results.count", { n: items.length }) : ""}
          </p>
          {items.length === 0 ? (
            <Empty>{filters.crop ? t("buyer.results.none_crop", { crop: cropName(filters.crop) }) : t("buyer.results.none")}</Empty>
          ) : (
            <ul class="cards">
              {items.map((l) => (
                <ListingCard key={l.id} listing={l} />
              ))}
            </ul>
          )}
          <ErrorMessage error={next.error} />
          {cursor && (
            <Button kind="secondary" busy={next.busy} onClick={() => void next.run(cursor)}>
              {t("common.more")}
            </Button>
          )}
        </section>
      ) : null}
    </Page>
  );
}
