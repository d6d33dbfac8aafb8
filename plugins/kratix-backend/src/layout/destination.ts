import type { DestinationSpec } from '@kratix-destinations/plugin-kratix-common';
import type { LayoutDestination } from './types';

export function layoutOf(name: string, spec: DestinationSpec): LayoutDestination {
  return { name, path: spec.path, mode: spec.filepath.mode, filename: spec.filepath.filename };
}

/**
 * The layout a Destination is written with. `filepath.mode` is immutable, as
 * in Kratix: once a mode has been written, it stays, whatever the spec says.
 */
export function effectiveLayout(d: {
  name: string;
  spec: DestinationSpec;
  written?: { spec: DestinationSpec };
}): LayoutDestination {
  const current = layoutOf(d.name, d.spec);
  const mode = d.written?.spec.filepath.mode;
  if (!mode || mode === current.mode) return current;
  return { ...current, mode, filename: d.written!.spec.filepath.filename };
}
