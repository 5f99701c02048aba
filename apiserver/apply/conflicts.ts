import { fromStatus, type StatusError } from '../../api/status.js';
import { describeManager } from './managed-fields.js';
import { formatPath, type Path } from './path-element.js';

/** One field an apply would take from another manager. */
export interface Conflict {
  /** The other manager's identifier (see managerIdentifier). */
  readonly manager: string;
  readonly path: Path;
}

/**
 * The 409 an apply with conflicts gets (apimachinery's NewApplyConflict): reason Conflict, one
 * `FieldManagerConflict` cause per field, and upstream's message —
 *
 *   Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas
 *
 * or, for several, grouped by manager (managers sorted):
 *
 *   Apply failed with 2 conflicts: conflicts with "web-controller" using apps/v1:
 *   - .spec.replicas
 *   - .spec.template.spec.containers[name="web"].image
 *
 * The Status is built here rather than by a constructor in api/status.ts because its message and causes
 * come from the field sets; it has exactly the shape of upstream's.
 */
export function applyConflictError(conflicts: readonly Conflict[]): StatusError {
  const causes = conflicts.map((conflict) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(conflict.manager)}`,
    field: formatPath(conflict.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const [only] = conflicts;
    message = `Apply failed with 1 conflict: conflict with ${describeManager(only!.manager)}: ${formatPath(only!.path)}`;
  } else {
    const byManager = new Map<string, Path[]>();
    for (const conflict of conflicts) {
      const paths = byManager.get(conflict.manager) ?? [];
      paths.push(conflict.path);
      byManager.set(conflict.manager, paths);
    }
    const lines: string[] = [];
    for (const manager of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${describeManager(manager)}:`);
      for (const path of byManager.get(manager)!) lines.push(`- ${formatPath(path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return fromStatus({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Conflict',
    details: { causes },
    code: 409,
  });
}
