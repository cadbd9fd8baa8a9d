/** What the admin pages share: the console's sub-menu, a paged list, and the form that asks for
 * the reason every admin action needs (the API keeps it in the audit log). */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, ErrorMessage, TextArea } from "../../components/ui";
import { api, newIdempotencyKey } from "../../lib/api";
import { useAction } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import type { Paged } from "./types";
import "./admin.css";
import "./messages";

const SECTIONS = ["flags", "disputes", "payments", "users", "listings", "audit", "health", "reports"] as const;

export function AdminNav() {
  return (
    <nav aria-label={t("admin.sections")} class="admin-nav">
      <ul>
        <li>
          <Link href="/admin">{t("admin.dashboard")}</Link>
        </li>
        {SECTIONS.map((s) => (
          <li key={s}>
            <Link href={`/admin/${s}`}>{t(`admin.${s}.title`)}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export interface PagedState<T> {
  items: T[];
  error: Error | null;
  loading: boolean;
  more: boolean;
  loadMore: () => void;
  reload: () => void;
}

/** A cursor-paged list: the first page on mount (and when `query` changes), then "Show more". */
export function usePaged<T>(path: string | null, query: Record<string, string | number | undefined>): PagedState<T> {
  const key = JSON.stringify([path, query]);
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);

  const fetchPage = useCallback(
    async (from: string | null, signal?: AbortSignal) => {
      if (!path) return;
      setLoading(true);
      setError(null);
      try {
        const page = await api.get<Paged<T>>(path, { query: { ...query, cursor: from ?? undefined }, signal });
        setItems((old) => (from ? [...old, ...page.items] : page.items));
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
    setItems([]);
    setCursor(null);
    void fetchPage(null, controller.signal);
    return () => controller.abort();
  }, [fetchPage, tick]);

  return {
    items,
    error,
    loading,
    more: cursor !== null,
    loadMore: () => void fetchPage(cursor),
    reload: () => setTick((n) => n + 1),
  };
}

export function MoreButton(props: { state: PagedState<unknown> }) {
  const { state } = props;
  if (!state.more) return null;
  return (
    <Button kind="secondary" busy={state.loading} onClick={state.loadMore}>
      {t("common.more")}
    </Button>
  );
}

/** An admin action: the reason (required, the API's limits), the button, and the API's answer or
 * its error message. One idempotency key per attempt, kept while the same attempt is retried. */
export function ReasonForm<T>(props: {
  label: string;
  submit: (reason: string, idempotencyKey: string) => Promise<T>;
  onDone: (result: T) => void;
  kind?: "primary" | "danger";
  children?: ComponentChildren;
}) {
  const [reason, setReason] = useState("");
  const [key, setKey] = useState(newIdempotencyKey);
  const action = useAction(props.submit);
  return (
    <form
      class="reason-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const result = await action.run(reason.trim(), key);
        if (result !== undefined) {
          setReason("");
          setKey(newIdempotencyKey());
          props.onDone(result);
        }
      }}
    >
      {props.children}
      <TextArea
        label={t("admin.reason")}
        value={reason}
        required
        maxLength={500}
        rows={2}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      <ErrorMessage error={action.error} />
      <Button type="submit" kind={props.kind ?? "primary"} busy={action.busy}>
        {props.label}
      </Button>
    </form>
  );
}

/** A term and its value, in a definition list. */
export function Def(props: { term: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

export function Badge(props: { value: string }) {
  return <span class={`status status-${props.value}`}>{t(`admin.state.${props.value}`)}</span>;
}
