/** #/admin/users: find an account (by email, phone or id; or browse farmers and buyers by district)
 * and suspend or reinstate it with a reason. Email and phone are exact matches on the sign-in keys
 * (GET /admin/users/lookup); the API has no search by name. */
import { useState } from "preact/hooks";
import { Button, Empty, ErrorMessage, Field, Loading, Page, Select } from "../../components/ui";
import { api } from "../../lib/api";
import { t } from "../../lib/i18n";
import { AdminNav, Badge, Def, MoreButton, ReasonForm, usePaged } from "./shared";
import type { Profile } from "./types";

function Manage(props: { user: Profile }) {
  const [user, setUser] = useState(props.user);
  const [action, setAction] = useState<"suspend" | "reinstate">(user.status === "suspended" ? "reinstate" : "suspend");
  return (
    <div class="admin-item">
      <dl class="admin-defs">
        <Def term={t("admin.users.name")}>{user.fullName ?? "–"}</Def>
        <Def term={t("admin.users.id")}>
          <code>{user.id}</code>
        </Def>
        <Def term={t("admin.users.role")}>{user.role}</Def>
        <Def term={t("admin.users.district")}>{user.district ?? "–"}</Def>
        {user.status && (
          <Def term={t("admin.users.status")}>
            <Badge value={user.status} />
          </Def>
        )}
      </dl>
      <ReasonForm<Profile>
        label={t(`admin.users.${action}`)}
        kind={action === "suspend" ? "danger" : "primary"}
        submit={(reason, idempotencyKey) => api.post(`/admin/users/${user.id}/${action}`, { reason }, { idempotencyKey })}
        onDone={(account) => {
          setUser(account);
          setAction(account.status === "suspended" ? "reinstate" : "suspend");
        }}
      >
        <Select
          label={t("admin.action")}
          value={action}
          options={(["suspend", "reinstate"] as const).map((a) => ({ value: a, label: t(`admin.users.${a}`) }))}
          onChange={(e) => setAction(e.currentTarget.value as "suspend" | "reinstate")}
        />
      </ReasonForm>
    </div>
  );
}

/** An email, a phone number (digits, +, spaces) or an account id. */
function findAccount(key: string): Promise<Profile> {
  if (key.includes("@")) return api.get<Profile>("/admin/users/lookup", { query: { email: key } });
  if (/^[+0-9][0-9\s().-]*$/.test(key)) return api.get<Profile>("/admin/users/lookup", { query: { phone: key } });
  return api.get<Profile>(`/users/${encodeURIComponent(key)}`);
}

export default function Users() {
  const [role, setRole] = useState("farmers");
  const [district, setDistrict] = useState("");
  const [applied, setApplied] = useState({ role: "farmers", district: "" });
  const [key, setKey] = useState("");
  const [selected, setSelected] = useState<Profile | null>(null);
  const [findError, setFindError] = useState<Error | null>(null);
  const [finding, setFinding] = useState(false);
  // The directory gives public profiles; the account (with its status) comes from GET /users/{id}.
  const openId = async (userId: string) => {
    setFindError(null);
    try {
      setSelected(await api.get<Profile>(`/users/${encodeURIComponent(userId)}`));
    } catch (err) {
      setFindError(err as Error);
    }
  };
  const list = usePaged<Profile>(`/users/${applied.role}`, { district: applied.district || undefined, limit: 20 });

  return (
    <Page title={t("admin.users.title")}>
      <AdminNav />
      <form
        class="admin-filters"
        onSubmit={async (e) => {
          e.preventDefault();
          setFinding(true);
          setFindError(null);
          try {
            setSelected(await findAccount(key.trim()));
          } catch (err) {
            setFindError(err as Error);
          } finally {
            setFinding(false);
          }
        }}
      >
        <Field
          label={t("admin.users.find")}
          hint={t("admin.users.find.hint")}
          value={key}
          required
          maxLength={254}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <Button type="submit" busy={finding}>
          {t("admin.users.open")}
        </Button>
      </form>
      <ErrorMessage error={findError} />
      {selected && <Manage key={selected.id} user={selected} />}

      <h2>{t("admin.users.browse")}</h2>
      <form
        class="admin-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ role, district: district.trim() });
        }}
      >
        <Select
          label={t("admin.users.role")}
          value={role}
          options={[
            { value: "farmers", label: t("admin.users.farmers") },
            { value: "buyers", label: t("admin.users.buyers") },
          ]}
          onChange={(e) => setRole(e.currentTarget.value)}
        />
        <Field label={t("admin.users.district")} value={district} maxLength={40} onInput={(e) => setDistrict(e.currentTarget.value)} />
        <Button type="submit">{t("admin.find")}</Button>
      </form>
      <ErrorMessage error={list.error} />
      {list.loading && !list.items.length && <Loading />}
      {!list.loading && !list.error && !list.items.length && <Empty>{t("admin.users.empty")}</Empty>}
      <ul class="admin-list">
        {list.items.map((u) => (
          <li key={u.id}>
            {u.fullName ?? "–"} · {u.district ?? "–"} · <code>{u.id}</code>{" "}
            <Button kind="secondary" onClick={() => void openId(u.id)} aria-label={t("admin.users.manage_name", { name: u.fullName ?? u.id })}>
              {t("admin.users.manage")}
            </Button>
          </li>
        ))}
      </ul>
      <MoreButton state={list} />
    </Page>
  );
}
