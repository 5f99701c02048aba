import { defaultColumns } from '../api/printers.js';
import type { KubeObject, ResourceDefinition, TableColumn } from '../api/resource.js';

/**
 * Server-side printing: the `meta.k8s.io` Table kubectl asks for with `as=Table` and prints as is.
 * Rows carry the object as PartialObjectMetadata by default (kubectl reads namespace and labels from
 * it), the whole object with `includeObject=Object` (for `--sort-by`), or nothing with `None`.
 */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function columnsOf(resource: ResourceDefinition): readonly TableColumn[] {
  return resource.columns ?? defaultColumns;
}

export function columnDefinitions(resource: ResourceDefinition) {
  return columnsOf(resource).map((column) => ({
    name: column.name,
    type: column.type,
    format: column.format ?? '',
    description: column.description,
    priority: column.priority ?? 0,
  }));
}

export function tableRow(
  resource: ResourceDefinition,
  object: KubeObject,
  include: IncludeObject,
  tableVersion: string,
  now: number,
) {
  const row: Record<string, unknown> = {
    cells: columnsOf(resource).map((column) => column.cell(object, now)),
  };
  if (include === 'Object') row.object = object;
  else if (include === 'Metadata') {
    row.object = {
      kind: 'PartialObjectMetadata',
      apiVersion: `meta.k8s.io/${tableVersion}`,
      metadata: object.metadata,
    };
  }
  return row;
}

export function table(
  resource: ResourceDefinition,
  objects: readonly KubeObject[],
  listMetadata: Record<string, unknown>,
  options: { include: IncludeObject; version: string; withColumns?: boolean; now?: number },
) {
  const now = options.now ?? Date.now();
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: listMetadata,
    ...(options.withColumns === false ? {} : { columnDefinitions: columnDefinitions(resource) }),
    rows: objects.map((object) => tableRow(resource, object, options.include, options.version, now)),
  };
}

export function parseIncludeObject(value: unknown): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}
