import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import { Content, EmptyState, Progress, Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { kratixWorkDeletePermission } from '@internal/plugin-kratix-common';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  IconButton,
  Tooltip,
} from '@material-ui/core';
import DeleteIcon from '@material-ui/icons/Delete';
import { kratixApiRef, Work } from '../api/KratixApi';
import { StatusLabel, when } from './StatusLabel';
import { useInterval } from './useInterval';
import { LoadError } from './LoadError';

/** Every work, where it went and whether it was written; deletable with confirmation. */
export function WorksPage() {
  const api = useApi(kratixApiRef);
  const alerts = useApi(alertApiRef);
  const { allowed: canDelete } = usePermission({ permission: kratixWorkDeletePermission });
  const { value, loading, error, retry } = useAsyncRetry(() => api.listWorks(), [api]);
  useInterval(retry, 5000);
  const [confirm, setConfirm] = useState<Work | undefined>();

  const remove = async (work: Work) => {
    setConfirm(undefined);
    try {
      await api.deleteWork({ namespace: work.namespace, name: work.name });
      alerts.post({
        message: `Work ${work.namespace}/${work.name} is being removed from its Destinations`,
        severity: 'success',
        display: 'transient',
      });
    } catch (e: any) {
      alerts.post({
        message: `Could not delete ${work.namespace}/${work.name}: ${e.message}`,
        severity: 'error',
      });
    }
    retry();
  };

  const columns: TableColumn<Work>[] = [
    {
      title: 'Work',
      field: 'name',
      render: w => (
        <strong>
          {w.namespace}/{w.name}
        </strong>
      ),
    },
    { title: 'Promise', field: 'promise' },
    { title: 'Resource', field: 'resource', render: w => w.resource ?? '(dependency)' },
    { title: 'Pipeline', field: 'pipeline' },
    {
      title: 'Destinations',
      customFilterAndSearch: (term: string, w: Work) =>
        w.placements.some(p => p.destination.includes(term)),
      render: w =>
        w.placements.length === 0 ? (
          <em>none matches yet</em>
        ) : (
          w.placements.map(p => (
            <div key={p.name}>
              <EntityRefLink
                entityRef={{ kind: 'Destination', namespace: 'default', name: p.destination }}
              />{' '}
              <StatusLabel status={p.status} misplaced={p.misplaced} />
            </div>
          ))
        ),
    },
    { title: 'Status', field: 'status', render: w => <StatusLabel status={w.status} /> },
    { title: 'Updated', field: 'updatedAt', render: w => when(w.updatedAt) },
    {
      title: '',
      sorting: false,
      render: w => (
        <Tooltip title={canDelete ? 'Delete this work and its files' : 'You may not delete works'}>
          <span>
            <IconButton
              aria-label={`Delete ${w.namespace}/${w.name}`}
              disabled={!canDelete || w.status === 'deleting'}
              onClick={() => setConfirm(w)}
            >
              <DeleteIcon />
            </IconButton>
          </span>
        </Tooltip>
      ),
    },
  ];

  return (
    <Content>
      {loading && !value && <Progress />}
      {error && <LoadError what="the works" error={error} />}
      {value && value.length === 0 && (
        <EmptyState
          missing="data"
          title="No works yet"
          description="Run a template that uses the kratix:schedule action, or POST to /api/kratix/works, to schedule documents to your Destinations."
        />
      )}
      {value && value.length > 0 && (
        <Table<Work>
          title={`Works (${value.length})`}
          options={{
            paging: value.length > 20,
            pageSize: 20,
            search: true,
            filtering: false,
            padding: 'dense',
          }}
          columns={columns}
          data={value}
        />
      )}
      <Dialog open={Boolean(confirm)} onClose={() => setConfirm(undefined)}>
        <DialogTitle>
          Delete {confirm?.namespace}/{confirm?.name}?
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            Its files are removed from{' '}
            {confirm?.placements.map(p => p.destination).join(', ') || 'no Destination'}. This
            cannot be undone.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirm(undefined)}>Cancel</Button>
          <Button color="secondary" variant="contained" onClick={() => confirm && remove(confirm)}>
            Delete
          </Button>
        </DialogActions>
      </Dialog>
    </Content>
  );
}
