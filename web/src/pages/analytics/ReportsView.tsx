/** What the reports pages share (`#/reports` for farmers and anyone signed in, `#/admin/reports`):
 * the request form (`POST /reports`, with an idempotency key kept while the same request is
 * retried), the list (`GET /reports`, newest first, "Show more"), each report's status, asked again
 * while it is queued or running (`GET /reports/{id}`, less often as time goes on), and its download
 * (a fresh presigned URL from `GET /reports/{id}`, opened as a link). */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { Button, Empty, ErrorMessage, Field, Loading, Select } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { catalogue, cropName } from "../../lib/catalogue";
import { date, dateTime, ugx } from "../../lib/format";
import { useAction } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { draftProblems, isPending, mergeReports, newDraft, nextPoll, type ReportDraft, reportBody, reportFilename, todayEat } from "./logic";
import type { Report, ReportFormat, ReportKind, ReportPage } from "./types";
import "./analytics.css";
import "./messages";

export interface ReportList {
  items: Report[];
  error: Error | null;
  loading: boolean;
  more: boolean;
  loadMore: () => void;
  add: (report: Report) => void;
  update: (reports: Report[]) => void;
}

/** One list of reports (`GET /reports` with `query`), pages added by "Show more". */
export function useReportList(query: Record<string, string>): ReportList {
  const key = JSON.stringify(query);
  const [items, setItems] = useState<Report[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const fetchPage = useCallback(
    async (from: string | null, signal?: AbortSignal) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.get<ReportPage>("/reports", { query: { ...query, cursor: from ?? undefined }, signal });
        setItems((old) => (from ? [...old, ...page.items.filter((r) => !old.some((o) => o.id === r.id))] : page.items));
        setCursor(page.next_cursor);
      } catch (err) {
        if ((err as Error).name !== "AbortError") setError(err as Error);
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );
  useEffect(() => {
    const controller = new AbortController();
    void fetchPage(null, controller.signal);
    return () => controller.abort();
  }, [fetchPage]);
  return {
    items,
    error,
    loading,
    more: cursor !== null,
    loadMore: () => void fetchPage(cursor),
    add: (report) => setItems((old) => mergeReports(old, [report])),
    update: (reports) => setItems((old) => mergeReports(old, reports)),
  };
}

/** While any report of `list` is queued or running, ask about those again (each by id), sooner at
 * first, then less often; stops when none is left (or the page is closed). */
export function usePolling(list: ReportList): void {
  const attempt = useRef(0);
  const pendingIds = list.items.filter(isPending).map((r) => r.id).join(",");
  useEffect(() => {
    if (!pendingIds) {
      attempt.current = 0;
      return;
    }
    const delay = nextPoll(list.items, attempt.current);
    if (delay === null) return;
    let live = true;
    const timer = setTimeout(async () => {
      attempt.current += 1;
      const ids = pendingIds.split(",");
      const fresh = await Promise.all(ids.map((id) => api.get<Report>(`/reports/${encodeURIComponent(id)}`).catch(() => null)));
      if (!live) return;
      const got = fresh.filter((r): r is Report => r !== null);
      if (got.length) list.update(got);
      else list.update([...list.items]); // nothing came back (offline?): try again later
    }, delay);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pendingIds, list.items]);
}

function kindName(kind: ReportKind): string {
  return t(`an.reports.kind.${kind}`);
}

/** "Sales report, 1 Dec 2026 to 3 Dec 2026 (CSV)". */
export function reportName(r: Pick<Report, "kind" | "format" | "from_date" | "to_date">): string {
  return t("an.reports.name", { kind: kindName(r.kind), from: date(`${r.from_date}T12:00:00+03:00`, lang.value), to: date(`${r.to_date}T12:00:00+03:00`, lang.value), format: r.format.toUpperCase() });
}

/** Open a report's file: a fresh presigned URL (they last 15 minutes), followed as a link. */
async function download(report: Report): Promise<boolean> {
  const fresh = await api.get<Report>(`/reports/${encodeURIComponent(report.id)}`);
  if (!fresh.download_url) throw new ApiError(409, "NOT_READY", t("an.reports.notReady")); // shown as it is
  const link = document.createElement("a");
  link.href = fresh.download_url;
  link.download = reportFilename(fresh);
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  return true;
}

function Item(props: { r: Report }) {
  const { r } = props;
  const name = reportName(r);
  const get = useAction(() => download(r));
  const filters = [r.crop ? cropName(r.crop) : null, r.district].filter(Boolean).join(", ");
  return (
    <li class="an-report">
      <h3>{name}</h3>
      <p>
        <span class={`status status-${r.status}`} role="status">
          {t(`an.reports.status.${r.status}`)}
        </span>{" "}
        <span class="muted">{t("an.reports.asked", { when: dateTime(r.created_at, lang.value) })}</span>
      </p>
      {filters && <p>{filters}</p>}
      {r.status === "ready" && (
        <>
          <dl class="totals">
            {r.rows != null && (
              <>
                <dt>{t("an.reports.rows")}</dt>
                <dd>{r.rows}</dd>
              </>
            )}
            {r.total_ugx != null && (
              <>
                <dt>{t("an.reports.total")}</dt>
                <dd>{ugx(r.total_ugx)}</dd>
              </>
            )}
          </dl>
          <Button kind="secondary" busy={get.busy} onClick={() => void get.run()} aria-label={t("an.reports.downloadName", { name })}>
            {t("an.reports.download")}
          </Button>
          <ErrorMessage error={get.error} />
        </>
      )}
      {r.status === "failed" && (
        <p class="error">{r.error || t("an.reports.failed")}</p>
      )}
    </li>
  );
}

export function ReportItems(props: { list: ReportList; label: string; empty: string }) {
  const { list } = props;
  return (
    <>
      <ErrorMessage error={list.error} />
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && !list.error && list.items.length === 0 && <Empty>{props.empty}</Empty>}
      {list.items.length > 0 && (
        <ul class="an-reports" aria-label={props.label}>
          {list.items.map((r) => (
            <Item key={r.id} r={r} />
          ))}
        </ul>
      )}
      {list.more && (
        <Button kind="secondary" busy={list.loading} onClick={list.loadMore}>
          {t("common.more")}
        </Button>
      )}
    </>
  );
}

export function RequestForm(props: { kinds: ReportKind[]; onQueued: (report: Report) => void }) {
  const [draft, setDraft] = useState<ReportDraft>(() => newDraft(props.kinds[0]!));
  const [key, setKey] = useState(newIdempotencyKey);
  const [shown, setShown] = useState<Record<string, string>>({});
  const [queued, setQueued] = useState<string | null>(null);
  const send = useAction((body: Record<string, string>, idempotencyKey: string) => api.post<Report>("/reports", body, { idempotencyKey }));
  const set = (field: keyof ReportDraft) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;
    setDraft((d) => ({ ...d, [field]: value }));
    setKey(newIdempotencyKey()); // a different request: a new key
    setQueued(null);
  };
  const fields = send.error instanceof ApiError ? send.error.fieldErrors() : {};
  const problem = (field: string) => (shown[field] ? t(shown[field]!) : fields[field]);
  const cat = catalogue.value;
  const filtered = draft.kind !== "payouts";
  return (
    <form
      class="an-request"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const problems = draftProblems(draft);
        setShown(problems);
        if (Object.keys(problems).length) return;
        const report = await send.run(reportBody(draft), key);
        if (report) {
          setKey(newIdempotencyKey());
          setQueued(reportName(report));
          props.onQueued(report);
        }
      }}
    >
      <div class="row">
        {props.kinds.length > 1 && (
          <Select label={t("an.reports.kind")} value={draft.kind} onChange={set("kind")} options={props.kinds.map((k) => ({ value: k, label: kindName(k) }))} />
        )}
        <Select label={t("an.reports.format")} value={draft.format} onChange={set("format")} options={(["csv", "pdf"] as ReportFormat[]).map((f) => ({ value: f, label: t(`an.reports.format.${f}`) }))} />
      </div>
      <div class="row">
        <Field label={t("an.reports.from")} type="date" value={draft.from_date} max={todayEat()} required error={problem("from_date")} onInput={set("from_date")} />
        <Field label={t("an.reports.to")} type="date" value={draft.to_date} required error={problem("to_date")} onInput={set("to_date")} />
      </div>
      {filtered && cat && (
        <div class="row">
          <Select label={t("an.reports.crop")} value={draft.crop} placeholder={t("an.reports.allCrops")} onChange={set("crop")} error={fields.crop} options={cat.crops.map((c) => ({ value: c.id, label: lang.value === "lg" ? c.luganda : c.name }))} />
          <Select label={t("an.reports.district")} value={draft.district} placeholder={t("an.reports.allDistricts")} onChange={set("district")} error={fields.district} options={cat.districts.map((d) => ({ value: d.name, label: d.name }))} />
        </div>
      )}
      <ErrorMessage error={send.error} />
      {queued && (
        <p class="notice" role="status">
          {t("an.reports.queued", { name: queued })}
        </p>
      )}
      <Button type="submit" busy={send.busy}>
        {t("an.reports.submit")}
      </Button>
    </form>
  );
}
