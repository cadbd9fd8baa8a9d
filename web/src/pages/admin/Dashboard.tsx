/** #/admin: what waits for an admin, each count a link to its list. */
import { Link } from "wouter-preact";
import { ErrorMessage, Page } from "../../components/ui";
import { api } from "../../lib/api";
import { useAsync } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import MetricsPanel from "../analytics/MetricsPanel";
import { AdminNav } from "./shared";
import type { Paged, QueueList } from "./types";

const PAGE = 100;

/** How many items a list holds, read from one page of 100 ("100+" when there are more). */
async function count(path: string, query: Record<string, string | number> = {}): Promise<string> {
  const page = await api.get<Paged<unknown>>(path, { query: { ...query, limit: PAGE } });
  return page.next_cursor ? `${page.items.length}+` : String(page.items.length);
}

function Card(props: { label: string; href: string; load: () => Promise<string> }) {
  const state = useAsync(() => props.load(), []);
  return (
    <li class="admin-card">
      <Link href={props.href}>
        <span class="admin-count" aria-live="polite">
          {state.loading ? "…" : state.data ?? "–"}
        </span>
        <span class="admin-card-label">{props.label}</span>
      </Link>
      <ErrorMessage error={state.error} />
    </li>
  );
}

export default function Dashboard() {
  return (
    <Page title={t("admin.dashboard.title")}>
      <AdminNav />
      <ul class="admin-cards">
        <Card label={t("admin.dashboard.flags")} href="/admin/flags" load={() => count("/admin/flags")} />
        <Card label={t("admin.dashboard.disputes")} href="/admin/disputes" load={() => count("/admin/disputes", { status: "open" })} />
        <Card label={t("admin.dashboard.mismatches")} href="/admin/payments" load={() => count("/admin/payments/mismatches")} />
        <Card
          label={t("admin.dashboard.dead_letters")}
          href="/admin/health"
          load={async () => String((await api.get<QueueList>("/admin/queues")).dead_letters_total)}
        />
      </ul>
      <MetricsPanel />
    </Page>
  );
}
