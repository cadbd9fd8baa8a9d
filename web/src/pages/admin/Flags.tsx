/** #/admin/flags: orders the fraud check flagged (GET /admin/flags). */
import { Empty, ErrorMessage, Loading, Page, TableScroll } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { lang, t } from "../../lib/i18n";
import { AdminNav, MoreButton, usePaged } from "./shared";
import type { Flag } from "./types";

export default function Flags() {
  const list = usePaged<Flag>("/admin/flags", { limit: 20 });
  return (
    <Page title={t("admin.flags.title")}>
      <AdminNav />
      <ErrorMessage error={list.error} />
      {list.loading && !list.items.length && <Loading />}
      {!list.loading && !list.error && !list.items.length && <Empty>{t("admin.flags.empty")}</Empty>}
      {list.items.length > 0 && (
        <TableScroll label={t("admin.flags.title")}>
          <table class="admin-table">
            <caption class="visually-hidden">{t("admin.flags.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("admin.when")}</th>
                <th scope="col">{t("admin.order")}</th>
                <th scope="col">{t("admin.buyer")}</th>
                <th scope="col">{t("admin.flags.reason")}</th>
                <th scope="col">{t("admin.flags.quantity")}</th>
                <th scope="col">{t("admin.flags.usual")}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((f) => (
                <tr key={f.id}>
                  <td>{dateTime(f.created_at, lang.value)}</td>
                  <td>
                    <code>{f.order_id}</code>
                  </td>
                  <td>
                    <code>{f.buyer_id}</code>
                  </td>
                  <td>{f.reason}</td>
                  <td>{f.quantity_kg} kg</td>
                  <td>{f.usual_quantity_kg} kg</td>
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
