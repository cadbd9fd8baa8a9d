import { useEffect, useState } from "preact/hooks";
import { Button, ErrorMessage, Field, Loading, Page, Select } from "../../components/ui";
import { api } from "../../lib/api";
import { hasRole, me, type Me } from "../../lib/auth";
import { catalogue } from "../../lib/catalogue";
import { useAction, useAsync } from "../../lib/hooks";
import { type Lang, LANGS, setLang, t } from "../../lib/i18n";
import "./messages";
import "./account.css";
import { PhoneCode } from "./PhoneCode";
import { fieldErrorsOf, splitTags } from "./util";

interface Account extends Me {
  pending_phone?: string | null;
  specialties?: string[];
  interests?: string[];
  rating?: number | null;
  rating_count?: number;
}

/** The caller's account (`GET/PUT /users/me`): name, district, language (kept on the account, so
 * SMS and USSD speak it too), what they grow or buy, and a phone confirmed by its SMS code. */
export default function Profile() {
  const loaded = useAsync((signal) => api.get<Account>("/users/me", { signal }), []);
  if (loaded.error) return <Page title={t("acct.profile.title")}><ErrorMessage error={loaded.error} /></Page>;
  if (!loaded.data) return <Page title={t("acct.profile.title")}><Loading /></Page>;
  return <ProfileForm account={loaded.data} />;
}

function ProfileForm(props: { account: Account }) {
  const [account, setAccount] = useState(props.account);
  const [name, setName] = useState(account.fullName ?? "");
  const [district, setDistrict] = useState(account.district ?? "");
  const [language, setLanguage] = useState<Lang>(account.language ?? "en");
  const [phone, setPhone] = useState(account.pending_phone ?? account.phone ?? "");
  const [specialties, setSpecialties] = useState((account.specialties ?? []).join(", "));
  const [interests, setInterests] = useState((account.interests ?? []).join(", "));
  const [saved, setSaved] = useState(false);
  const farmer = hasRole(account, "farmer");
  const buyer = hasRole(account, "buyer");
  useEffect(() => setSaved(false), [name, district, language, phone, specialties, interests]);

  const save = useAction(async () => {
    const body: Record<string, unknown> = { full_name: name.trim(), language };
    if (district.trim()) body.district = district.trim();
    const number = phone.replace(/[\s-]/g, "");
    if (number && number !== account.phone && number !== account.pending_phone) body.phone = number;
    if (farmer) body.specialties = splitTags(specialties);
    if (buyer) body.interests = splitTags(interests);
    const updated = await api.put<Account>("/users/me", body);
    setAccount(updated);
    me.value = { ...me.value, ...updated };
    if (updated.language === "en" || updated.language === "lg") setLang(updated.language);
    setSaved(true);
  });
  const errors = fieldErrorsOf(save.error);
  const districts = catalogue.value?.districts ?? [];

  return (
    <Page title={t("acct.profile.title")}>
      <dl class="acct-dl">
        <dt>{t("acct.profile.email")}</dt>
        <dd>{account.email ?? "–"}</dd>
        <dt>{t("acct.profile.role")}</dt>
        <dd>{t(`acct.role.${account.role}`)}</dd>
        <dt>{t("acct.profile.phone")}</dt>
        <dd>
          {account.phone ? `${account.phone} · ${account.phone_verified ? t("acct.phone.verified") : t("acct.phone.unverified")}` : "–"}
          {account.pending_phone && (
            <>
              <br />
              {t("acct.phone.pending", { phone: account.pending_phone })}
            </>
          )}
        </dd>
      </dl>
      {account.rating != null && <p>{t("acct.profile.rating", { rating: account.rating, count: account.rating_count ?? 0 })}</p>}
      <form
        class="acct-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <Field label={t("acct.profile.name")} name="name" autoComplete="name" maxLength={80} value={name} error={errors.full_name} onInput={(e) => setName(e.currentTarget.value)} />
        {districts.length ? (
          <Select
            label={t("acct.profile.district")}
            name="district"
            value={district}
            placeholder={t("acct.profile.district.choose")}
            options={districts.map((d) => ({ value: d.name, label: d.name }))}
            error={errors.district}
            onChange={(e) => setDistrict(e.currentTarget.value)}
          />
        ) : (
          <Field
            label={t("acct.profile.district")}
            hint={t("acct.profile.district.hint")}
            name="district"
            maxLength={40}
            value={district}
            error={errors.district}
            onInput={(e) => setDistrict(e.currentTarget.value)}
          />
        )}
        <Select
          label={t("acct.profile.language")}
          name="language"
          value={language}
          options={LANGS.map((l) => ({ value: l, label: t(`lang.${l}`) }))}
          onChange={(e) => setLanguage(e.currentTarget.value as Lang)}
        />
        <Field
          label={t("acct.profile.phone")}
          hint={t("acct.profile.phone.hint")}
          type="tel"
          name="phone"
          autoComplete="tel"
          value={phone}
          error={errors.phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
        {farmer && (
          <Field label={t("acct.profile.specialties")} hint={t("acct.profile.tags.hint")} name="specialties" value={specialties} error={errors.specialties} onInput={(e) => setSpecialties(e.currentTarget.value)} />
        )}
        {buyer && (
          <Field label={t("acct.profile.interests")} hint={t("acct.profile.tags.hint")} name="interests" value={interests} error={errors.interests} onInput={(e) => setInterests(e.currentTarget.value)} />
        )}
        <ErrorMessage error={save.error} />
        {saved && (
          <p class="notice" role="status">
            {t("acct.profile.saved")}
          </p>
        )}
        <Button type="submit" busy={save.busy}>
          {t("common.save")}
        </Button>
      </form>
      {account.pending_phone && (
        <section aria-label={t("acct.phone.verify")}>
          <PhoneCode phone={account.pending_phone} onVerified={(updated) => setAccount({ ...account, ...updated })} />
        </section>
      )}
    </Page>
  );
}
