import { useRef, useState } from "preact/hooks";
import { Button, ErrorMessage, TextArea } from "../../components/ui";
import { api, newIdempotencyKey } from "../../lib/api";
import { useAction } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import type { Message } from "./people";

/** Write a message (`POST /message/`, with an Idempotency-Key kept while the same text is retried). */
export function Compose(props: { to: string; listing?: string | null; onSent: (message: Message) => void }) {
  const [text, setText] = useState("");
  const key = useRef<{ text: string; key: string } | null>(null);
  const send = useAction(async () => {
    const body: Record<string, string> = { to_user_id: props.to, text: text.trim() };
    if (props.listing) body.listing_id = props.listing;
    if (key.current?.text !== body.text) key.current = { text: body.text, key: newIdempotencyKey() };
    const message = await api.post<Message>("/message/", body, { idempotencyKey: key.current.key });
    key.current = null;
    setText("");
    props.onSent(message);
  });
  return (
    <form
      class="acct-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) void send.run();
      }}
    >
      <TextArea label={t("acct.msg.text")} name="text" required maxLength={2000} rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <ErrorMessage error={send.error} />
      <Button type="submit" busy={send.busy}>
        {t("acct.msg.send")}
      </Button>
    </form>
  );
}
