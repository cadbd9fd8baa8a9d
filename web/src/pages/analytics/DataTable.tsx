/** The analytics pages' tables: a scrollable region named `label` (optionally inside a
 * `<details>` whose summary is the same text, and with the same text as the table's caption),
 * one header row of `columns`, then a row per item whose first cell is its row header. Numeric
 * columns are right-aligned (`class="num"`). With `empty` and no rows, that message instead. */
import type { ComponentChildren } from "preact";
import { Empty, TableScroll } from "../../components/ui";

export interface Column<T> {
  label: string;
  /** right-aligned (`class="num"`) */
  num?: boolean;
  cell: (row: T) => ComponentChildren;
}

export default function DataTable<T>(props: {
  label: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  rowClass?: (row: T) => string | undefined;
  /** the label again as the table's caption */
  caption?: boolean;
  /** folded away in a `<details>` summarised by the label */
  collapsible?: boolean;
  /** shown instead of the table when there are no rows */
  empty?: ComponentChildren;
}) {
  const { label, columns, rows } = props;
  if (props.empty !== undefined && rows.length === 0) return <Empty>{props.empty}</Empty>;
  const [head, ...rest] = columns;
  const table = (
    <TableScroll label={label}>
      <table>
        {props.caption && <caption>{label}</caption>}
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={props.rowKey(r)} class={props.rowClass?.(r)}>
              {head && <th scope="row">{head.cell(r)}</th>}
              {rest.map((c, i) => (
                <td key={i} class={c.num ? "num" : undefined}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
  if (!props.collapsible) return table;
  return (
    <details>
      <summary>{label}</summary>
      {table}
    </details>
  );
}
