import { useEffect, useRef } from 'react';

/** Calls `fn` every `ms` while mounted: the status changes as the backend writes. */
export function useInterval(fn: () => void, ms: number) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    const id = setInterval(() => saved.current(), ms);
    return () => clearInterval(id);
  }, [ms]);
}
