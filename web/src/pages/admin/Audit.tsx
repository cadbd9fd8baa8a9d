/** #/admin/audit: what admins did, newest first, filtered by admin, target or action. */
import { useState } from "preact/hooks";
import { Button, Empty, ErrorMessage, Field, Loading, Page, TableScroll } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { lang, t } from "../../lib/i18n";
import { AdminNav, MoreButton, usePaged } from "./shared";
import type { AuditEntry } from "./types";

const EMPTY = { admin_id: "", target: "", action: "" };

export default function Audit() {
  const [form, setForm] = useState(EMPTY);
  const [applied, setApplied] = useState(EMPTY);
  const list = usePaged<AuditEntry>("/admin/audit", {
    admin_id: applied.admin_id || undefined,
    target: applied.target || undefined,
    action: applied.action || undefined,
    limit: 20,
  });
  const set = (name: keyof typeof EMPTY) => (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [name]: e.currentTarget.value });
  return (
    <Page title={t("admin.audit.title")}>
      <AdminNav />
      <form
        class="admin-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ admin_id: form.admin_id.trim(), target: form.target.trim(), action: form.action.trim() });
        }}
      >
        <Field label={t("admin.audit.admin")} value={form.admin_id} maxLength={128} onInput={set("admin_id")} />
        <Field label={t("admin.audit.target")} hint={t("admin.audit.target.hint")} value={form.target} maxLength={128} onInput={set("target")} />
        <Field label={t("admin.audit.action")} hint={t("admin.audit.action.hint")} value={form.action} maxLength={64} onInput={set("action")} />
        <Button type="submit">{t("admin.find")}</Button>
      </form>
      <ErrorMessage error={list.error} />
      {list.loading && !list.items.length && <Loading />}
      {!list.loading && !list.error && !list.items.length && <Empty>{t("admin.audit.empty")}</Empty>}
      {list.items.length > 0 && (
        <TableScroll label={t("admin.audit.title")}>
          <table class="admin-table">
            <caption class="visually-hidden">{t("admin.audit.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("admin.when")}</th>
                <th scope="col">{t("admin.audit.action")}</th>
                <th scope="col">{t("admin.audit.target")}</th>
                <th scope="col">{t("admin.reason")}</th>
                <th scope="col">{t("admin.audit.admin")}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((a) => (
                <tr key={a.event_id}>
                  <td>{dateTime(a.at, lang.value)}</td>
                  <td>
                    <code>{a.action}</code>
                  </td>
                  <td>
                    {a.target_type} <code>{a.target_id}</code>
                  </td>
                  <td>{a.reason}</td>
                  <td>
                    <code>{a.admin_id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <MoreButton state={list} />
    </Page>
  );
}
