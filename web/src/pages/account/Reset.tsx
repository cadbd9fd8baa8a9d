import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, ErrorMessage, Field, Page } from "../../components/ui";
import { api } from "../../lib/api";
import { signIn } from "../../lib/auth";
import { useAction } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import "./messages";
import "./account.css";
import { accountId, fieldErrorsOf, RESET_PHONE, useGo, useParam } from "./util";

/** The code (sent by SMS or e-mail) and a new password (`POST /auth/password/reset`); then signed in with it. */
export default function Reset() {
  const go = useGo();
  const sent = useParam("sent");
  const [phone, setPhone] = useState(() => sessionStorage.getItem(RESET_PHONE) ?? "");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const action = useAction(async () => {
    const who = accountId(phone);
    await api.post("/auth/password/reset", { ...who, code: code.trim(), new_password: password }, { auth: false });
    sessionStorage.removeItem(RESET_PHONE);
    setDone(true);
    try {
      if (await signIn({ ...who, password })) go("/profile");
    } catch {
      // the password is changed; the user signs in from the link below
    }
  });
  const errors = fieldErrorsOf(action.error);
  if (done) {
    return (
      <Page title={t("acct.reset.title")}>
        <p role="status">{t("acct.reset.done")}</p>
        <p>
          <Link href="/signin">{t("acct.signin.submit")}</Link>
        </p>
      </Page>
    );
  }
  return (
    <Page title={t("acct.reset.title")}>
      {sent && (
        <p class="notice" role="status">
          {t(sent === "email" ? "acct.reset.sent_email" : "acct.reset.sent")}
        </p>
      )}
      <form
        class="acct-form"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <Field label={t("acct.reset.phone")} name="account" autoComplete="username" required value={phone} error={errors.phone ?? errors.email} onInput={(e) => setPhone(e.currentTarget.value)} />
        <Field
          label={t("acct.reset.code")}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          value={code}
          error={errors.code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
        <Field
          label={t("acct.reset.password")}
          hint={t("acct.signup.password.hint")}
          type="password"
          name="new_password"
          autoComplete="new-password"
          required
          value={password}
          error={errors.new_password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <ErrorMessage error={action.error} />
        <Button type="submit" busy={action.busy}>
          {t("acct.reset.submit")}
        </Button>
      </form>
      <p>
        <Link href="/forgot">{t("acct.reset.again")}</Link>
      </p>
    </Page>
  );
}
