import { goJoin } from '@kratix-destinations/plugin-kratix-common';
import type { FilepathMode } from '@kratix-destinations/plugin-kratix-common';

/** Exactly the bytes Kratix writes (sigs.k8s.io/yaml of its Namespace). */
export const CANARY_NAMESPACE_CONTENT =
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kratix-worker-system\nspec: {}\nstatus: {}\n';

/** Exactly the bytes Kratix writes for its ConfigMap. */
export const CANARY_CONFIGMAP_CONTENT =
  'apiVersion: v1\ndata:\n  canary: this confirms your infrastructure is reading from Kratix state stores\nkind: ConfigMap\nmetadata:\n  name: kratix-info\n  namespace: kratix-worker-system\n';

/** The name Kratix commits canary writes under. */
export const CANARY_WRITER_NAME = 'kratix-canary';

/** The two canary paths for a Destination, which depend on its mode. */
export function canaryPaths(
  destPath: string,
  mode: FilepathMode,
): { namespace: string; configMap: string } {
  if (mode === 'nestedByMetadata') {
    return {
      namespace: goJoin(destPath, 'dependencies/kratix-canary-namespace.yaml'),
      configMap: goJoin(destPath, 'resources/kratix-canary-configmap.yaml'),
    };
  }
  return {
    namespace: goJoin(destPath, 'kratix-canary-namespace.yaml'),
    configMap: goJoin(destPath, 'kratix-canary-configmap.yaml'),
  };
}

/** The canary files to write: path -> content. */
export function canaryFiles(destPath: string, mode: FilepathMode): Map<string, string> {
  const p = canaryPaths(destPath, mode);
  return new Map([
    [p.namespace, CANARY_NAMESPACE_CONTENT],
    [p.configMap, CANARY_CONFIGMAP_CONTENT],
  ]);
}
