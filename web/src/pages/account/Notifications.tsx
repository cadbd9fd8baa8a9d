import { useEffect, useState } from "preact/hooks";
import { Button, Empty, ErrorMessage, Loading, Page } from "../../components/ui";
import { api } from "../../lib/api";
import { dateTime } from "../../lib/format";
import { useAction } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { onLive } from "../../lib/live";
import "./messages";
import "./account.css";
import { unread } from "./unread";

export interface Notification {
  id: string;
  type: string;
  title: string;
  body: string;
  data?: Record<string, string | number>;
  /** The title and body in English and Luganda (the list shows the app's language). */
  texts?: Partial<Record<"en" | "lg", { title: string; body: string }>> | null;
  read: boolean;
  created_at: string;
  read_at?: string | null;
}

interface NotificationPage {
  items: Notification[];
  next_cursor: string | null;
}

/** My notifications (`GET /notifications/`, unread first, "Show more" follows the cursor); new ones
 * arrive over the WebSocket (`{"type": "notification", "notification": {...}}`) without a reload. */
export default function Notifications() {
  const [items, setItems] = useState<Notification[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const load = useAction(async (after: string | null) => {
    const page = await api.get<NotificationPage>("/notifications/", { query: { cursor: after } });
    setItems((old) => {
      const seen = new Set((after ? old ?? [] : []).map((n) => n.id));
      return [...(after ? old ?? [] : []), ...page.items.filter((n) => !seen.has(n.id))];
    });
    setCursor(page.next_cursor);
  });
  useEffect(() => {
    void load.run(null);
    return onLive((message) => {
      if (message.type !== "notification" || !message.notification) return;
      const fresh = message.notification as Notification;
      setItems((old) => (old?.some((n) => n.id === fresh.id) ? old : [fresh, ...(old ?? [])]));
    });
  }, []);

  const markRead = useAction(async (id: string) => {
    await api.post(`/notifications/${encodeURIComponent(id)}/read`);
    setItems((old) => old?.map((n) => (n.id === id ? { ...n, read: true } : n)) ?? null);
    unread.value = Math.max(0, unread.value - 1);
  });
  const markAll = useAction(async () => {
    // read-all marks up to 100 a call and says when more remain
    for (let i = 0; i < 20; i++) {
      const answer = await api.post<{ updated: number; remaining: boolean }>("/notifications/read-all");
      if (!answer.remaining) break;
    }
    setItems((old) => old?.map((n) => ({ ...n, read: true })) ?? null);
    unread.value = 0;
  });

  const anyUnread = items?.some((n) => !n.read);
  return (
    <Page
      title={t("acct.notif.title")}
      actions={
        anyUnread ? (
          <Button kind="secondary" busy={markAll.busy} onClick={() => void markAll.run()}>
            {t("acct.notif.read_all")}
          </Button>
        ) : undefined
      }
    >
      <p>
        <a href="#/notifications/settings">{t("acct.nset.title")}</a>
      </p>
      <ErrorMessage error={markAll.error ?? markRead.error} />
      {items === null && !load.error && <Loading />}
      {items?.length === 0 && <Empty>{t("acct.notif.empty")}</Empty>}
      {items && items.length > 0 && (
        <ul class="acct-list" aria-label={t("acct.notif.title")}>
          {items.map((n) => (
            <li key={n.id} class={n.read ? "" : "unread"}>
              <div class="acct-row">
                {!n.read && <span class="acct-badge">{t("acct.notif.unread")}</span>}
                <strong>{n.texts?.[lang.value]?.title ?? n.title}</strong>
              </div>
              <p>{n.texts?.[lang.value]?.body ?? n.body}</p>
              <div class="acct-row">
                <span class="acct-meta">{dateTime(n.created_at, lang.value)}</span>
                {!n.read && (
                  <Button kind="secondary" onClick={() => void markRead.run(n.id)} aria-label={`${t("acct.notif.read")}: ${n.title}`}>
                    {t("acct.notif.read")}
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ErrorMessage error={load.error} />
      {cursor && (
        <Button kind="secondary" busy={load.busy} onClick={() => void load.run(cursor)}>
          {t("common.more")}
        </Button>
      )}
    </Page>
  );
}
