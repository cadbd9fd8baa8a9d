import { useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, Empty, ErrorMessage, Loading, Page } from "../../components/ui";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { dateTime } from "../../lib/format";
import { useAction } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { onLive } from "../../lib/live";
import { Compose } from "./Compose";
import "./messages";
import "./account.css";
import { type Message, type Page as ApiPage, person } from "./people";

/** One conversation (`GET /message/conversations/{id}`, newest first from the API, shown oldest
 * first); messages for it arrive live; the text is shown as the API delivered it (contact details
 * masked until the two have a confirmed order). */
export default function Thread(props: { id: string }) {
  const [items, setItems] = useState<Message[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(null);
  const mine = me.value?.id;
  const load = useAction(async (after: string | null) => {
    const page = await api.get<ApiPage<Message>>(`/message/conversations/${encodeURIComponent(props.id)}`, { query: { cursor: after } });
    const older = [...page.items].reverse();
    setItems((old) => {
      const kept = after ? old ?? [] : [];
      const seen = new Set(kept.map((m) => m.id));
      return [...older.filter((m) => !seen.has(m.id)), ...kept];
    });
    setCursor(page.next_cursor);
  });
  const add = (m: Message) => setItems((old) => (old?.some((x) => x.id === m.id) ? old : [...(old ?? []), m]));
  useEffect(() => {
    setItems(null);
    void load.run(null);
    return onLive((live) => {
      const m = live.message as Message | undefined;
      if ((live.type === "message" || live.type === "message_sent") && m?.conversation_id === props.id) add(m);
    });
  }, [props.id]);

  const first = items?.[0];
  const other = first ? (first.sender_id === mine ? first.recipient_id : first.sender_id) : null;
  const listing = items?.find((m) => m.listing_id)?.listing_id ?? null;
  useEffect(() => {
    if (other) void person(other).then((p) => setName(p?.fullName ?? t("acct.msg.someone")));
  }, [other]);

  const title = name ? t("acct.msg.thread", { name }) : t("acct.msg.title");
  return (
    <Page title={title} actions={<Link href="/messages">{t("acct.msg.all")}</Link>}>
      {cursor && (
        <Button kind="secondary" busy={load.busy} onClick={() => void load.run(cursor)}>
          {t("acct.msg.older")}
        </Button>
      )}
      {items === null && !load.error && <Loading />}
      {items?.length === 0 && <Empty>{t("acct.msg.none")}</Empty>}
      {items && items.length > 0 && (
        <ol class="thread" aria-label={title} aria-live="polite">
          {items.map((m) => (
            <li key={m.id} class={m.sender_id === mine ? "mine" : ""}>
              <span class="acct-sr">{m.sender_id === mine ? t("acct.msg.from_you") : name ?? t("acct.msg.someone")}: </span>
              <p>{m.text}</p>
              {m.masked && <small class="acct-meta">{t("acct.msg.masked")}</small>}
              <div class="acct-meta">{dateTime(m.created_at, lang.value)}</div>
            </li>
          ))}
        </ol>
      )}
      <ErrorMessage error={load.error} />
      {other && <Compose to={other} listing={listing} onSent={add} />}
    </Page>
  );
}
