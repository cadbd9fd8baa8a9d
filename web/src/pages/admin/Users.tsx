/** #/admin/users: find a farmer or buyer (by role and district, or by account id) and suspend or
 * reinstate the account with a reason. The API has no search by phone, email or name yet. */
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

export default function Users() {
  const [role, setRole] = useState("farmers");
  const [district, setDistrict] = useState("");
  const [applied, setApplied] = useState({ role: "farmers", district: "" });
  const [id, setId] = useState("");
  const [selected, setSelected] = useState<Profile | null>(null);
  const [findError, setFindError] = useState<Error | null>(null);
  const [finding, setFinding] = useState(false);
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
            setSelected(await api.get<Profile>(`/users/${encodeURIComponent(id.trim())}`));
          } catch (err) {
            setFindError(err as Error);
          } finally {
            setFinding(false);
          }
        }}
      >
        <Field label={t("admin.users.id")} value={id} required onInput={(e) => setId(e.currentTarget.value)} />
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
            <Button kind="secondary" onClick={() => setSelected(u)} aria-label={t("admin.users.manage_name", { name: u.fullName ?? u.id })}>
              {t("admin.users.manage")}
            </Button>
          </li>
        ))}
      </ul>
      <MoreButton state={list} />
    </Page>
  );
}
