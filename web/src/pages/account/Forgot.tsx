import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, ErrorMessage, Field, Page } from "../../components/ui";
import { api } from "../../lib/api";
import { useAction } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import "./messages";
import "./account.css";
import { accountId, fieldErrorsOf, RESET_PHONE, useGo } from "./util";

/** Ask for a password-reset code (`POST /auth/password/forgot`) by phone (an SMS) or by e-mail
 * address (an e-mail, and an SMS too when the account has a phone), then enter it on #/reset. */
export default function Forgot() {
  const go = useGo();
  const [phone, setPhone] = useState(() => sessionStorage.getItem(RESET_PHONE) ?? "");
  const action = useAction(async () => {
    const who = accountId(phone);
    await api.post("/auth/password/forgot", who, { auth: false });
    sessionStorage.setItem(RESET_PHONE, "email" in who ? who.email : who.phone);
    go(`/reset?sent=${"email" in who ? "email" : "1"}`);
  });
  return (
    <Page title={t("acct.forgot.title")}>
      <p>{t("acct.forgot.intro")}</p>
      <form
        class="acct-form"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <Field
          label={t("acct.forgot.phone")}
          name="account"
          autoComplete="username"
          required
          value={phone}
          error={fieldErrorsOf(action.error).phone ?? fieldErrorsOf(action.error).email}
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
        <ErrorMessage error={action.error} />
        <Button type="submit" busy={action.busy}>
          {t("acct.forgot.submit")}
        </Button>
      </form>
      <p>
        <Link href="/reset">{t("acct.forgot.have_code")}</Link>
      </p>
    </Page>
  );
}
