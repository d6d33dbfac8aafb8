import { DependencyList, useEffect, useRef } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useSignal } from '@backstage/plugin-signals-react';
import { KRATIX_SIGNAL_CHANNEL } from '@kratix-destinations/plugin-kratix-common';

/** Without signals, pages poll this often; with them, only as a rare safety net. */
const POLL_MS = 5000;
const SAFETY_MS = 60000;

/**
 * Loads data and keeps it current: reloads when the backend announces a store
 * run (Backstage signals), and polls when signals are not installed.
 */
export function useLiveData<T>(load: () => Promise<T>, deps: DependencyList) {
  const state = useAsyncRetry(load, deps);
  const retry = useRef(state.retry);
  retry.current = state.retry;
  const { lastSignal, isSignalsAvailable } = useSignal(KRATIX_SIGNAL_CHANNEL);
  useEffect(() => {
    if (lastSignal) retry.current();
  }, [lastSignal]);
  useEffect(() => {
    const id = setInterval(() => retry.current(), isSignalsAvailable ? SAFETY_MS : POLL_MS);
    return () => clearInterval(id);
  }, [isSignalsAvailable]);
  return state;
}
