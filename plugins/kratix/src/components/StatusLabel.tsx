import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';

/** A placement's or work's status, as a coloured label a person can read. */
export function StatusLabel(props: { status: string; misplaced?: boolean }) {
  const { status, misplaced } = props;
  const text = misplaced ? `${status} (misplaced)` : status;
  switch (status) {
    case 'written':
      return misplaced ? <StatusWarning>{text}</StatusWarning> : <StatusOK>{text}</StatusOK>;
    case 'failed':
      return <StatusError>{text}</StatusError>;
    case 'deleting':
      return <StatusRunning>{text}</StatusRunning>;
    default:
      return <StatusPending>{text}</StatusPending>;
  }
}

export function ReadyLabel(props: { ready: boolean; message: string }) {
  return props.ready ? (
    <StatusOK>Ready: {props.message}</StatusOK>
  ) : (
    <StatusError>Not ready: {props.message}</StatusError>
  );
}

export function shortVersion(version?: string): string {
  if (!version) return '';
  return /^[0-9a-f]{40}$/.test(version) ? version.slice(0, 8) : version.slice(0, 12);
}

export function when(iso?: string): string {
  return iso ? new Date(iso).toLocaleString() : '';
}
