import { useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, Empty, ErrorMessage, Loading, Page } from "../../components/ui";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { dateTime } from "../../lib/format";
import { useAction } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { onLive } from "../../lib/live";
import "./messages";
import "./account.css";
import { type Conversation, type Message, type Page as ApiPage, person } from "./people";

/** My conversations (`GET /message/conversations`), newest first; a live message moves its
 * conversation to the top (or adds it). */
export default function Conversations() {
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const load = useAction(async (after: string | null) => {
    const page = await api.get<ApiPage<Conversation>>("/message/conversations", { query: { cursor: after } });
    setItems((old) => [...(after ? old ?? [] : []), ...page.items]);
    setCursor(page.next_cursor);
  });
  useEffect(() => {
    void load.run(null);
    return onLive((live) => {
      if (live.type !== "message" || !live.message) return;
      const m = live.message as Message;
      const mine = me.value?.id;
      const other = m.sender_id === mine ? m.recipient_id : m.sender_id;
      const updated: Conversation = { id: m.conversation_id, other_user_id: other, last_message_at: m.created_at, last_text: m.text, last_sender_id: m.sender_id };
      setItems((old) => [updated, ...(old ?? []).filter((c) => c.id !== m.conversation_id)]);
    });
  }, []);
  useEffect(() => {
    for (const c of items ?? []) {
      if (names[c.other_user_id] !== undefined) continue;
      void person(c.other_user_id).then((p) => setNames((n) => ({ ...n, [c.other_user_id]: p?.fullName ?? t("acct.msg.someone") })));
    }
  }, [items]);

  return (
    <Page title={t("acct.msg.title")}>
      {items === null && !load.error && <Loading />}
      {items?.length === 0 && <Empty>{t("acct.msg.empty")}</Empty>}
      {items && items.length > 0 && (
        <ul class="acct-list" aria-label={t("acct.msg.title")}>
          {items.map((c) => (
            <li key={c.id}>
              <Link href={`/messages/${c.id}`}>
                <strong>{names[c.other_user_id] ?? t("acct.msg.someone")}</strong>
              </Link>
              <p>{c.last_sender_id === me.value?.id ? t("acct.msg.you", { text: c.last_text }) : c.last_text}</p>
              <span class="acct-meta">{dateTime(c.last_message_at, lang.value)}</span>
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
