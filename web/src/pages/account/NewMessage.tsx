import { Link } from "wouter-preact";
import { ErrorMessage, Loading, Page } from "../../components/ui";
import { useAsync } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import { Compose } from "./Compose";
import "./messages";
import "./account.css";
import { person } from "./people";
import { useGo } from "./util";

/** The first message to someone (a buyer to a farmer, about a listing): `#/messages/new/<userId>`
 * or `#/messages/new/<userId>/<listingId>` (see links.ts). Once sent, the conversation opens. */
export default function NewMessage(props: { to: string; listing?: string }) {
  const go = useGo();
  const who = useAsync(() => person(props.to), [props.to]);
  if (who.loading) return <Page title={t("acct.msg.title")}><Loading /></Page>;
  const name = who.data?.fullName ?? t("acct.msg.someone");
  return (
    <Page title={t("acct.msg.new", { name })} actions={<Link href="/messages">{t("acct.msg.all")}</Link>}>
      <ErrorMessage error={who.error} />
      {props.listing && <p class="acct-meta">{t("acct.msg.about", { id: props.listing })}</p>}
      <Compose to={props.to} listing={props.listing} onSent={(m) => go(`/messages/${m.conversation_id}`)} />
    </Page>
  );
}
