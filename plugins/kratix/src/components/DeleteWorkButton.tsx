import { useState } from 'react';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { kratixWorkDeletePermission, WorkSummary } from '@kratix-destinations/plugin-kratix-common';
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
import { kratixApiRef } from '../api/KratixApi';

function ConfirmDelete(props: {
  work: WorkSummary;
  open: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const { work } = props;
  return (
    <Dialog open={props.open} onClose={props.onCancel}>
      <DialogTitle>
        Delete {work.namespace}/{work.name}?
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          Its files are removed from{' '}
          {work.destinations.map(d => d.name).join(', ') || 'no Destination'}. This cannot be
          undone.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button color="secondary" variant="contained" onClick={props.onConfirm}>
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function reasonFor(deleting: boolean, allowed: boolean): string {
  if (deleting) return 'Its files are being removed';
  if (!allowed) return 'Your permissions do not allow deleting this work (kratix.work.delete)';
  return 'Delete this work and its files';
}

/** Deletes a work after confirmation; disabled, with the reason, when the policy does not allow it. */
export function DeleteWorkButton(props: { work: WorkSummary; onDeleted: () => void }) {
  const { work } = props;
  const api = useApi(kratixApiRef);
  const alerts = useApi(alertApiRef);
  const { allowed, loading } = usePermission({
    permission: kratixWorkDeletePermission,
    resourceRef: `${work.namespace}/${work.name}`,
  });
  const [open, setOpen] = useState(false);
  const deleting = work.status === 'deleting';
  const ref = `${work.namespace}/${work.name}`;
  const remove = async () => {
    setOpen(false);
    try {
      await api.deleteWork(work);
      alerts.post({
        message: `Work ${ref} is being removed from its Destinations`,
        severity: 'success',
        display: 'transient',
      });
    } catch (e: any) {
      alerts.post({ message: `Could not delete ${ref}: ${e.message}`, severity: 'error' });
    }
    props.onDeleted();
  };
  return (
    <>
      <Tooltip title={reasonFor(deleting, allowed)}>
        <span>
          <IconButton
            aria-label={`Delete ${ref}`}
            disabled={loading || !allowed || deleting}
            onClick={() => setOpen(true)}
          >
            <DeleteIcon />
          </IconButton>
        </span>
      </Tooltip>
      <ConfirmDelete work={work} open={open} onCancel={() => setOpen(false)} onConfirm={remove} />
    </>
  );
}
