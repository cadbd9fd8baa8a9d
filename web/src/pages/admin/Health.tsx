/** #/admin/health: the queues and their dead letters (chart and table), replaying a dead-letter
 * queue with a reason, and the price models' last training run. */
import { useState } from "preact/hooks";
import { Button, ErrorMessage, Loading, Page, TableScroll } from "../../components/ui";
import { api } from "../../lib/api";
import { dateTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { QueueChart } from "./QueueChart";
import { AdminNav, Badge, Def, ReasonForm } from "./shared";
import type { QueueInfo, QueueList, TrainingRun } from "./types";

function Replay(props: { queue: QueueInfo; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  if (!props.queue.dead_letters?.messages && !result) return null;
  return (
    <div class="admin-replay">
      {result && <p role="status">{result}</p>}
      {!open && props.queue.dead_letters?.messages ? (
        <Button kind="secondary" onClick={() => setOpen(true)} aria-label={t("admin.health.replay_name", { name: props.queue.label })}>
          {t("admin.health.replay")}
        </Button>
      ) : null}
      {open && (
        <ReasonForm<{ moved: number | null; remaining: number; mode: string }>
          label={t("admin.health.replay_name", { name: props.queue.label })}
          submit={(reason, idempotencyKey) => api.post(`/admin/queues/${encodeURIComponent(props.queue.name)}/replay`, { reason }, { idempotencyKey })}
          onDone={(r) => {
            setOpen(false);
            setResult(r.moved === null ? t("admin.health.replay_started", { remaining: r.remaining }) : t("admin.health.replayed", { moved: r.moved, remaining: r.remaining }));
            props.onDone();
          }}
        />
      )}
    </div>
  );
}

function Training() {
  const run = useAsync((signal) => api.get<TrainingRun>("/admin/training", { signal }), []);
  return (
    <section aria-labelledby="training-title">
      <h2 id="training-title">{t("admin.training.title")}</h2>
      <ErrorMessage error={run.error} />
      {run.loading && <Loading />}
      {run.data &&
        (run.data.status === "NONE" ? (
          <p class="empty">{t("admin.training.none")}</p>
        ) : (
          <dl class="admin-defs">
            <Def term={t("admin.users.status")}>
              <Badge value={run.data.status.toLowerCase()} />
            </Def>
            <Def term={t("admin.training.started")}>{dateTime(run.data.started_at, lang.value)}</Def>
            <Def term={t("admin.training.stopped")}>{dateTime(run.data.stopped_at, lang.value)}</Def>
            {run.data.pairs !== null && <Def term={t("admin.training.pairs")}>{run.data.pairs}</Def>}
            {run.data.trained !== null && <Def term={t("admin.training.trained")}>{run.data.trained}</Def>}
            {run.data.failed !== null && <Def term={t("admin.training.failed")}>{run.data.failed}</Def>}
            {run.data.error && <Def term={t("admin.training.error")}>{run.data.error}</Def>}
            {run.data.failures.length > 0 && (
              <Def term={t("admin.training.failures")}>
                <ul>
                  {run.data.failures.map((f) => (
                    <li key={`${f.market}/${f.crop}`}>
                      {f.market} · {f.crop}: <code>{f.error}</code>
                    </li>
                  ))}
                </ul>
              </Def>
            )}
          </dl>
        ))}
    </section>
  );
}

export default function Health() {
  const queues = useAsync((signal) => api.get<QueueList>("/admin/queues", { signal }), []);
  const items = queues.data?.items ?? [];
  return (
    <Page title={t("admin.health.title")}>
      <AdminNav />
      <h2>{t("admin.health.queues")}</h2>
      <ErrorMessage error={queues.error} />
      {queues.loading && !queues.data && <Loading />}
      {queues.data && (
        <>
          <p>{t("admin.health.dead_total", { n: queues.data.dead_letters_total })}</p>
          {items.length > 0 && (
            <QueueChart queues={items} />
          )}
          <TableScroll label={t("admin.health.table")}>
            <table class="admin-table">
              <caption>{t("admin.health.table")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.health.queue")}</th>
                  <th scope="col">{t("admin.health.waiting")}</th>
                  <th scope="col">{t("admin.health.in_flight")}</th>
                  <th scope="col">{t("admin.health.dead")}</th>
                  <th scope="col">{t("admin.action")}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((q) => (
                  <tr key={q.name}>
                    <th scope="row">
                      {q.label}
                      <br />
                      <small>
                        <code>{q.name}</code>
                      </small>
                    </th>
                    <td>{q.messages}</td>
                    <td>{q.in_flight}</td>
                    <td>{q.dead_letters ? q.dead_letters.messages : "–"}</td>
                    <td>
                      <Replay queue={q} onDone={queues.reload} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
      <Training />
    </Page>
  );
}
