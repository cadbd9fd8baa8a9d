/** #/admin/disputes: open (or resolved) disputes, newest or oldest first. */
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Empty, ErrorMessage, Loading, Page, Select } from "../../components/ui";
import { cropName } from "../../lib/catalogue";
import { dateTime, ugx } from "../../lib/format";
import { lang, t } from "../../lib/i18n";
import { AdminNav, Badge, MoreButton, usePaged } from "./shared";
import type { DisputeSummary } from "./types";

export default function Disputes() {
  const [status, setStatus] = useState("open");
  const [sort, setSort] = useState("newest");
  const list = usePaged<DisputeSummary>("/admin/disputes", { status, sort, limit: 20 });
  return (
    <Page title={t("admin.disputes.title")}>
      <AdminNav />
      <div class="admin-filters">
        <Select
          label={t("admin.disputes.status")}
          value={status}
          options={[
            { value: "open", label: t("admin.state.open") },
            { value: "resolved", label: t("admin.state.resolved") },
          ]}
          onChange={(e) => setStatus(e.currentTarget.value)}
        />
        <Select
          label={t("admin.sort")}
          value={sort}
          options={[
            { value: "newest", label: t("admin.sort.newest") },
            { value: "oldest", label: t("admin.sort.oldest") },
          ]}
          onChange={(e) => setSort(e.currentTarget.value)}
        />
      </div>
      <ErrorMessage error={list.error} />
      {list.loading && !list.items.length && <Loading />}
      {!list.loading && !list.error && !list.items.length && <Empty>{t("admin.disputes.empty")}</Empty>}
      <ul class="admin-list">
        {list.items.map((d) => (
          <li key={d.id}>
            <Link href={`/admin/disputes/${d.id}`}>
              {t("admin.disputes.item", { crop: d.crop ? cropName(d.crop) : "–", total: ugx(d.total_ugx) })}
            </Link>{" "}
            <Badge value={d.status} />
            <br />
            <small>
              {t(`admin.reason.${d.reason}`)} · {t("admin.disputes.photos", { n: d.photo_count })} · {t("admin.disputes.opened", { when: dateTime(d.opened_at, lang.value) })}
              {d.outcome && <> · {t(`admin.outcome.${d.outcome}`)}</>}
            </small>
          </li>
        ))}
      </ul>
      <MoreButton state={list} />
    </Page>
  );
}
