import { CatalogTable, CatalogTableRow } from '@backstage/plugin-catalog';
import type { CatalogTableColumnsFunc } from '@backstage/plugin-catalog/alpha';
import type { TableColumn } from '@backstage/core-components';

const spec = (row: CatalogTableRow): any => row.entity.spec ?? {};
const text = (
  title: string,
  value: (s: any, row: CatalogTableRow) => string | undefined,
): TableColumn<CatalogTableRow> => ({
  title,
  customFilterAndSearch: (term: string, row: CatalogTableRow) =>
    (value(spec(row), row) ?? '').toLowerCase().includes(term.toLowerCase()),
  render: row => value(spec(row), row) ?? '',
});

/** Catalog columns for the three kinds (the defaults for every other kind). */
export const kratixCatalogColumns: CatalogTableColumnsFunc = context => {
  const kind = context.filters.kind?.value?.toLocaleLowerCase('en-US');
  const { createNameColumn, createOwnerColumn } = CatalogTable.columns;
  if (kind === 'destination') {
    return [
      createNameColumn({ defaultKind: 'Destination' }),
      text('Path', s => s.path),
      text('State Store', s =>
        s.stateStoreRef ? `${s.stateStoreRef.kind}/${s.stateStoreRef.name}` : undefined,
      ),
      text('Mode', s => s.filepath?.mode ?? 'nestedByMetadata'),
      text('Labels', (_s, row) =>
        Object.entries(row.entity.metadata.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
      ),
      text('Cleanup', s => s.cleanup ?? 'none'),
      createOwnerColumn(),
    ];
  }
  if (kind === 'gitstatestore') {
    return [
      createNameColumn({ defaultKind: 'GitStateStore' }),
      text('URL', s => s.url),
      text('Branch', s => s.branch ?? 'main'),
      text('Path', s => s.path),
      createOwnerColumn(),
    ];
  }
  if (kind === 'bucketstatestore') {
    return [
      createNameColumn({ defaultKind: 'BucketStateStore' }),
      text('Endpoint', s => s.endpoint),
      text('Bucket', s => s.bucketName),
      text('Path', s => s.path),
      createOwnerColumn(),
    ];
  }
  return CatalogTable.defaultColumnsFunc(context);
};
