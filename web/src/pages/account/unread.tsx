/** The unread-notification count in the header: counted from the first page of
 * `GET /notifications/` (unread come first) when the user signs in, raised by each live
 * notification, lowered when the notifications page marks them read. Kept tiny: it is part of the
 * shell's first load. */
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { Link } from "wouter-preact";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { register, t } from "../../lib/i18n";
import { onLive } from "../../lib/live";

register({
  // the accessible name starts with the visible text (a speech user says what they see)
  en: { "acct.unread.short": "{n} new", "acct.unread.label": "{n} new notifications" },
  lg: { "acct.unread.short": "{n} bipya", "acct.unread.label": "{n} bipya: obubaka obukumanyisa" },
});

const PAGE = 100;
export const unread = signal(0);
/** True when the first page was full of unread ones: there may be more ("100+"). */
export const unreadMore = signal(false);

export async function refreshUnread(): Promise<void> {
  try {
    const page = await api.get<{ items: { read: boolean }[]; next_cursor: string | null }>("/notifications/", { query: { limit: PAGE } });
    const count = page.items.filter((n) => !n.read).length;
    unread.value = count;
    unreadMore.value = count === PAGE && page.next_cursor !== null;
  } catch {
    // the count is a hint; the notifications page shows any error
  }
}

onLive((message) => {
  if (message.type === "notification") unread.value += 1;
});

export function UnreadLink() {
  const id = me.value?.id;
  useEffect(() => {
    if (id) void refreshUnread();
    else unread.value = 0;
  }, [id]);
  if (!id || unread.value <= 0) return null;
  const n = `${unread.value}${unreadMore.value ? "+" : ""}`;
  return (
    <Link href="/notifications" class="unread-link" aria-label={t("acct.unread.label", { n })}>
      {t("acct.unread.short", { n })}
    </Link>
  );
}
