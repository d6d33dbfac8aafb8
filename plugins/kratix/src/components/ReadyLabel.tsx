import { StatusError, StatusOK } from '@backstage/core-components';

/** Readiness with Kratix's own message. */
export function ReadyLabel(props: { ready: boolean; message: string }) {
  return props.ready ? (
    <StatusOK>Ready: {props.message}</StatusOK>
  ) : (
    <StatusError>Not ready: {props.message}</StatusError>
  );
}
