import { useState } from 'react';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { kratixWorkDeletePermission, WorkSummary } from '@internal/plugin-kratix-common';
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
  let reason = 'Delete this work and its files';
  if (deleting) reason = 'Its files are being removed';
  else if (!allowed)
    reason = 'Your permissions do not allow deleting this work (kratix.work.delete)';
  const remove = async () => {
    setOpen(false);
    try {
      await api.deleteWork(work);
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
    props.onDeleted();
  };
  return (
    <>
      <Tooltip title={reason}>
        <span>
          <IconButton
            aria-label={`Delete ${work.namespace}/${work.name}`}
            disabled={loading || !allowed || deleting}
            onClick={() => setOpen(true)}
          >
            <DeleteIcon />
          </IconButton>
        </span>
      </Tooltip>
      <Dialog open={open} onClose={() => setOpen(false)}>
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
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button color="secondary" variant="contained" onClick={remove}>
            Delete
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
