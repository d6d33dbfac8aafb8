import { useState } from 'react';
import { Link, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { StoreFileView } from '@kratix-destinations/plugin-kratix-common';
import { kratixApiRef } from '../api/KratixApi';
import { useLiveData } from '../hooks/useLiveData';
import { FileDialog } from './FileDialog';
import { LinkOrText } from './LinkOrText';
import { LoadError } from './LoadError';
import { shortVersion } from './format';

function owner(f: StoreFileView) {
  if (!f.managed) return <em>not managed</em>;
  if (f.kind === 'canary') return 'canary (Destination)';
  if (f.kind === 'aggregate') return 'aggregate of every placement';
  return f.work ? (
    <Link
      to={`/kratix/works/${f.work.namespace}/${f.work.name}`}
    >{`${f.work.namespace}/${f.work.name}`}</Link>
  ) : (
    (f.placement ?? '')
  );
}

/** What the store holds under the Destination's path, each file with the work it belongs to. */
export function DestinationFiles(props: { destination: string }) {
  const api = useApi(kratixApiRef);
  const [open, setOpen] = useState<string | undefined>();
  const { value, error } = useLiveData(
    () => api.getDestinationFiles(props.destination),
    [api, props.destination],
  );
  const columns: TableColumn<StoreFileView>[] = [
    {
      title: 'File',
      render: f => (
        <a
          href={`#${encodeURIComponent(f.path)}`}
          onClick={e => {
            e.preventDefault();
            setOpen(f.path);
          }}
          aria-label={`Show ${f.relativePath}`}
        >
          <code>{f.relativePath}</code>
        </a>
      ),
    },
    { title: 'Belongs to', render: owner },
    { title: 'Placement', render: f => f.placement ?? '' },
    {
      title: '',
      render: f => (f.webUrl ? <LinkOrText to={f.webUrl}>open in the host</LinkOrText> : ''),
    },
  ];
  if (error) return <LoadError what="the files" error={error} />;
  const subtitle = value
    ? `${value.stateStore} at ${value.root || '(root)'}${value.version ? `, version ${shortVersion(value.version)}` : ''}${value.truncated ? ' (first files only)' : ''}`
    : '';
  return (
    <>
      <Table<StoreFileView>
        title="Files"
        subtitle={subtitle}
        options={{
          paging: (value?.files.length ?? 0) > 50,
          pageSize: 50,
          search: true,
          padding: 'dense',
        }}
        columns={columns}
        data={value?.files ?? []}
        isLoading={!value}
      />
      <FileDialog destination={props.destination} path={open} onClose={() => setOpen(undefined)} />
    </>
  );
}
