import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, ErrorMessage, Field, Page } from "../../components/ui";
import { useAction } from "../../lib/hooks";
import { type Lang, setLang, t } from "../../lib/i18n";
import { api } from "../../lib/api";
import { me, type Me, signIn } from "../../lib/auth";
import "./messages";
import "./account.css";
import { fieldErrorsOf, safeNext, useGo, useParam } from "./util";

/** The language the user picked with the header's switch on this device, if any. */
function chosenLang(): Lang | null {
  try {
    const stored = localStorage.getItem("soko.lang");
    return stored === "en" || stored === "lg" ? stored : null;
  } catch {
    return null;
  }
}

/** Sign in by email or by phone (whichever the user types) and go back where they were going. */
export default function SignIn() {
  const go = useGo();
  const next = safeNext(useParam("next"));
  const [id, setId] = useState("");
  const [password, setPassword] = useState("");
  const action = useAction(async () => {
    const value = id.trim();
    const credentials = value.includes("@") ? { email: value, password } : { phone: value.replace(/[\s-]/g, ""), password };
    const chosen = chosenLang();
    const user = await signIn(credentials);
    if (!user) return;
    if (chosen && chosen !== user.language) {
      // the language picked on this device before signing in wins, and is kept on the account
      // (so SMS and USSD speak it too)
      setLang(chosen);
      try {
        me.value = { ...user, ...(await api.put<Me>("/users/me", { language: chosen })) };
      } catch {
        // the profile page can save it later
      }
    }
    go(next);
  });
  const errors = fieldErrorsOf(action.error);
  if (me.value && !action.busy) {
    return (
      <Page title={t("acct.signin.title")}>
        <p>{t("acct.signin.already", { name: me.value.fullName ?? me.value.email ?? "" })}</p>
        <p>
          <Link href="/profile">{t("acct.signin.profile")}</Link>
        </p>
      </Page>
    );
  }
  return (
    <Page title={t("acct.signin.title")}>
      <form
        class="acct-form"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <Field
          label={t("acct.signin.id")}
          hint={t("acct.signin.id.hint")}
          name="username"
          autoComplete="username"
          required
          value={id}
          error={errors.email ?? errors.phone}
          onInput={(e) => setId(e.currentTarget.value)}
        />
        <Field
          label={t("acct.signin.password")}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          error={errors.password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <ErrorMessage error={action.error} />
        <Button type="submit" busy={action.busy}>
          {t("acct.signin.submit")}
        </Button>
      </form>
      <p>
        <Link href="/forgot">{t("acct.signin.forgot")}</Link>
      </p>
      <p>
        <Link href={next === "/" ? "/signup" : `/signup?next=${encodeURIComponent(next)}`}>{t("acct.signin.new")}</Link>
      </p>
    </Page>
  );
}
