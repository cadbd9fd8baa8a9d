/** #/admin/listings: find listings (search, crop, district; or one by id, taken down ones too) and
 * take one down or restore it, with the reason its farmer is shown. */
import { useState } from "preact/hooks";
import { Button, Empty, ErrorMessage, Field, Loading, Page, Select } from "../../components/ui";
import { api } from "../../lib/api";
import { dateTime, kg, perKg } from "../../lib/format";
import { lang, t } from "../../lib/i18n";
import { AdminNav, Badge, Def, MoreButton, ReasonForm, usePaged } from "./shared";
import type { Listing } from "./types";

function Moderate(props: { listing: Listing }) {
  const [listing, setListing] = useState(props.listing);
  const down = !!listing.moderation?.taken_down;
  const action = down ? "restore" : "takedown";
  return (
    <div class="admin-item">
      <h2>{listing.title}</h2>
      <dl class="admin-defs">
        <Def term={t("admin.listings.id")}>
          <code>{listing.id}</code>
        </Def>
        <Def term={t("admin.farmer")}>
          <code>{listing.farmer_id}</code>
        </Def>
        <Def term={t("admin.crop")}>{listing.crop_name}</Def>
        <Def term={t("admin.listings.price")}>{perKg(listing.price_per_kg)}</Def>
        <Def term={t("admin.listings.quantity")}>{kg(Number(listing.quantity_kg))}</Def>
        <Def term={t("admin.users.district")}>{listing.district}</Def>
        <Def term={t("admin.users.status")}>
          <Badge value={down ? "taken_down" : listing.status} />
        </Def>
        {listing.moderation?.reason && <Def term={t("admin.reason")}>{listing.moderation.reason}</Def>}
        {listing.moderation?.taken_down_at && <Def term={t("admin.when")}>{dateTime(listing.moderation.taken_down_at, lang.value)}</Def>}
        {listing.moderation?.farmer_suspended && <Def term={t("admin.farmer")}>{t("admin.listings.farmer_suspended")}</Def>}
      </dl>
      <ReasonForm<Listing>
        key={action}
        label={t(`admin.listings.${action}`)}
        kind={down ? "primary" : "danger"}
        submit={(reason, idempotencyKey) => api.post(`/admin/listings/${listing.id}/${action}`, { reason }, { idempotencyKey })}
        onDone={setListing}
      />
    </div>
  );
}

export default function Listings() {
  const [q, setQ] = useState("");
  const [district, setDistrict] = useState("");
  const [sort, setSort] = useState("newest");
  const [applied, setApplied] = useState<{ q: string; district: string; sort: string }>({ q: "", district: "", sort: "newest" });
  const [id, setId] = useState("");
  const [selected, setSelected] = useState<Listing | null>(null);
  const [findError, setFindError] = useState<Error | null>(null);
  const [finding, setFinding] = useState(false);
  const list = usePaged<Listing>("/listings/", { q: applied.q || undefined, district: applied.district || undefined, sort: applied.sort, limit: 20 });

  const open = async (listingId: string) => {
    setFinding(true);
    setFindError(null);
    try {
      setSelected(await api.get<Listing>(`/listings/${encodeURIComponent(listingId.trim())}`));
    } catch (err) {
      setFindError(err as Error);
    } finally {
      setFinding(false);
    }
  };

  return (
    <Page title={t("admin.listings.title")}>
      <AdminNav />
      <form
        class="admin-filters"
        onSubmit={(e) => {
          e.preventDefault();
          void open(id);
        }}
      >
        <Field label={t("admin.listings.id")} value={id} required maxLength={40} onInput={(e) => setId(e.currentTarget.value)} />
        <Button type="submit" busy={finding}>
          {t("admin.users.open")}
        </Button>
      </form>
      <ErrorMessage error={findError} />
      {selected && <Moderate key={selected.id} listing={selected} />}

      <h2>{t("admin.listings.browse")}</h2>
      <form
        class="admin-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ q: q.trim(), district: district.trim(), sort });
        }}
      >
        <Field label={t("admin.listings.search")} type="search" value={q} maxLength={100} onInput={(e) => setQ(e.currentTarget.value)} />
        <Field label={t("admin.users.district")} value={district} maxLength={40} onInput={(e) => setDistrict(e.currentTarget.value)} />
        <Select
          label={t("admin.sort")}
          value={sort}
          options={[
            { value: "newest", label: t("admin.sort.newest") },
            { value: "price", label: t("admin.sort.price") },
            { value: "-price", label: t("admin.sort.-price") },
          ]}
          onChange={(e) => setSort(e.currentTarget.value)}
        />
        <Button type="submit">{t("admin.find")}</Button>
      </form>
      <ErrorMessage error={list.error} />
      {list.loading && !list.items.length && <Loading />}
      {!list.loading && !list.error && !list.items.length && <Empty>{t("admin.listings.empty")}</Empty>}
      <ul class="admin-list">
        {list.items.map((l) => (
          <li key={l.id}>
            {l.title} · {perKg(l.price_per_kg)} · {l.district}{" "}
            <Button kind="secondary" onClick={() => void open(l.id)} aria-label={t("admin.listings.manage_name", { title: l.title })}>
              {t("admin.users.manage")}
            </Button>
          </li>
        ))}
      </ul>
      <MoreButton state={list} />
    </Page>
  );
}
