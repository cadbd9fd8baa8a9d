import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, ErrorMessage, Field, Page } from "../../components/ui";
import { api } from "../../lib/api";
import { useAction } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import "./messages";
import "./account.css";
import { fieldErrorsOf, RESET_PHONE, useGo } from "./util";



/** Ask for a password-reset code by SMS (`POST /auth/password/forgot`), then enter it on #/reset. */
export default function Forgot() {
  const go = useGo();
  const [phone, setPhone] = useState(() => sessionStorage.getItem(RESET_PHONE) ?? "");
  const action = useAction(async () => {
    const number = phone.replace(/[\s-]/g, "");
    await api.post("/auth/password/forgot", { phone: number }, { auth: false });
    sessionStorage.setItem(RESET_PHONE, number);
    go("/reset?sent=1");
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
          type="tel"
          name="phone"
          autoComplete="tel"
          required
          value={phone}
          error={fieldErrorsOf(action.error).phone}
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
