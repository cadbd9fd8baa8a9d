import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, ErrorMessage, Field, Page, Select } from "../../components/ui";
import { api } from "../../lib/api";
import { type Me, signIn } from "../../lib/auth";
import { useAction } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import "./messages";
import "./account.css";
import { PhoneCode } from "./PhoneCode";
import { fieldErrorsOf, safeNext, useGo, useParam } from "./util";

type Role = "buyer" | "farmer" | "both" | "transporter";

/** Open an account (`POST /auth/register`), sign in, then confirm the phone by its SMS code. */
export default function SignUp() {
  const go = useGo();
  const next = safeNext(useParam("next"));
  const [role, setRole] = useState<Role>("buyer");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [phone, setPhone] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState<string | null>(null);
  // the account once opened: a retry after a failed sign-in (the network) only signs in
  const [opened, setOpened] = useState<{ email: string; account: Me } | null>(null);
  const action = useAction(async () => {
    const body: Record<string, string> = { role, full_name: name.trim(), email: email.trim(), password };
    const number = phone.replace(/[\s-]/g, "");
    if (number) body.phone = number;
    const account = opened?.email === body.email ? opened.account : await api.post<Me>("/auth/register", body, { auth: false });
    setOpened({ email: body.email, account });
    await signIn({ email: body.email, password });
    if (account.pending_phone) setPending(String(account.pending_phone));
    else go(next);
  });
  const errors = fieldErrorsOf(action.error);
  if (pending) {
    return (
      <Page title={t("acct.signup.done", { name: name.trim() })}>
        <PhoneCode phone={pending} onVerified={() => go(next)} onLater={() => go("/profile")} />
      </Page>
    );
  }
  return (
    <Page title={t("acct.signup.title")}>
      <form
        class="acct-form"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <Select
          label={t("acct.signup.role")}
          name="role"
          value={role}
          options={(["buyer", "farmer", "both", "transporter"] as Role[]).map((r) => ({ value: r, label: t(`acct.signup.role.${r}`) }))}
          onChange={(e) => setRole(e.currentTarget.value as Role)}
        />
        <Field label={t("acct.signup.name")} name="name" autoComplete="name" required maxLength={80} value={name} error={errors.full_name} onInput={(e) => setName(e.currentTarget.value)} />
        <Field label={t("acct.signup.email")} type="email" name="email" autoComplete="email" required value={email} error={errors.email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <Field
          label={t("acct.signup.phone")}
          hint={t("acct.signup.phone.hint")}
          type="tel"
          name="phone"
          autoComplete="tel"
          value={phone}
          error={errors.phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
        <Field
          label={t("acct.signup.password")}
          hint={t("acct.signup.password.hint")}
          type="password"
          name="password"
          autoComplete="new-password"
          required
          maxLength={128}
          value={password}
          error={errors.password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <ErrorMessage error={action.error} />
        <Button type="submit" busy={action.busy}>
          {t("acct.signup.submit")}
        </Button>
      </form>
      <p>
        <Link href="/signin">{t("acct.signup.have")}</Link>
      </p>
    </Page>
  );
}
