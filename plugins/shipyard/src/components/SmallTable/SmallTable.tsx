import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { CSSProperties, ReactNode } from 'react';

/** A column of a {@link SmallTable}: its title, and how its cells (the title's too) are aligned and styled. */
export interface SmallTableColumn {
  title: string;
  align?: 'right';
  style?: CSSProperties;
  /** The style of the column's cells in the item rows, when it is not that of its title. */
  cellStyle?: CSSProperties;
  /** The test id of the column's cells in the item rows. */
  cellTestId?: string;
}

/** The small table of a card: a row of column titles, then a row of cells per item. */
export function SmallTable<Item>(props: {
  /** The table's accessible name. */
  label: string;
  testId?: string;
  columns: Array<string | SmallTableColumn>;
  items: Item[];
  /** The item's row key. */
  rowKey(item: Item): string;
  /** The item's cells, one per column. */
  cells(item: Item): ReactNode[];
  /** The test id of the item's row. */
  rowTestId?(item: Item): string;
  /** Whether the item's row is highlighted as the selected one. */
  rowSelected?(item: Item): boolean;
}) {
  const columns = props.columns.map(column =>
    typeof column === 'string' ? { title: column } : column,
  );
  return (
    <Table size="small" aria-label={props.label} data-testid={props.testId}>
      <TableHead>
        <TableRow>
          {columns.map(({ title, align, style }) => (
            <TableCell key={title} align={align} style={style}>
              {title}
            </TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {props.items.map(item => (
          <TableRow
            key={props.rowKey(item)}
            data-testid={props.rowTestId?.(item)}
            selected={props.rowSelected?.(item)}
          >
            {props.cells(item).map((cell, i) => (
              <TableCell
                key={columns[i].title}
                align={columns[i].align}
                style={columns[i].cellStyle ?? columns[i].style}
                data-testid={columns[i].cellTestId}
              >
                {cell}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
