import { useState } from "preact/hooks";
import { Button, ErrorMessage, Field } from "../../components/ui";
import { api } from "../../lib/api";
import { me, type Me } from "../../lib/auth";
import { useAction } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import { fieldErrorsOf } from "./util";

/** The 6-digit code the API texted to a new phone (`POST /users/me/phone/verify`). */
export function PhoneCode(props: { phone: string; onVerified: (account: Me) => void; onLater?: () => void }) {
  const [code, setCode] = useState("");
  const action = useAction(async () => {
    const account = await api.post<Me>("/users/me/phone/verify", { code: code.trim() });
    me.value = { ...me.value, ...account };
    props.onVerified(account);
  });
  return (
    <form
      class="acct-form"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run();
      }}
    >
      <Field
        label={t("acct.phone.code")}
        hint={t("acct.phone.code.hint", { phone: props.phone })}
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]{6}"
        maxLength={6}
        required
        value={code}
        error={fieldErrorsOf(action.error).code}
        onInput={(e) => setCode(e.currentTarget.value)}
      />
      <ErrorMessage error={action.error} />
      <div class="acct-row">
        <Button type="submit" busy={action.busy}>
          {t("acct.phone.verify")}
        </Button>
        {props.onLater && (
          <Button kind="secondary" onClick={props.onLater}>
            {t("acct.phone.later")}
          </Button>
        )}
      </div>
    </form>
  );
}
