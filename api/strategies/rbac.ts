/**
 * Roles, ClusterRoles, RoleBindings and ClusterRoleBindings: upstream's defaults and validation.
 * Escalation prevention — a write granting what the requester does not hold is a 403 — depends on who
 * writes, so the API server adds it (apiserver/auth/rbac/escalation.ts, `rbacWriteChecks`).
 *
 * Defaults: a binding's `roleRef.apiGroup` and its User and Group subjects' `apiGroup` are
 * `rbac.authorization.k8s.io` when left out. Validation, beyond the schema's required fields:
 *
 *   rules[0].verbs: Required value: verbs must contain at least one value
 *   rules[0].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs
 *   roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"   (a ClusterRoleBinding)
 *   roleRef: Invalid value: …: cannot change roleRef                           (an update)
 *   subjects[0].namespace: Required value                                      (a ClusterRoleBinding's ServiceAccount)
 */
import { type FieldError, fieldError } from '../field-error.js';
import { type LabelSelector, labelSelectorAsSelector, validateLabelSelector } from '../labels.js';
import { isDNS1123Subdomain } from '../names.js';
import type { KubeObject, Strategy } from '../resource.js';

const rbacGroup = 'rbac.authorization.k8s.io';

interface Rule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind?: string;
  apiGroup?: string;
  name?: string;
  namespace?: string;
}

interface RoleRef {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

function validateRules(role: KubeObject, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const rules = Array.isArray(role.rules) ? (role.rules as Rule[]) : [];
  rules.forEach((rule, index) => {
    const at = `rules[${index}]`;
    // An absent list is the schema's Required error already.
    if (rule.verbs !== undefined && rule.verbs.length === 0) {
      errors.push(fieldError.required(`${at}.verbs`, 'verbs must contain at least one value'));
    }
    const urls = rule.nonResourceURLs ?? [];
    if (urls.length > 0) {
      if (namespaced) {
        errors.push(
          fieldError.invalid(
            `${at}.nonResourceURLs`,
            urls,
            'namespaced rules cannot apply to non-resource URLs',
          ),
        );
      }
      if (
        (rule.apiGroups ?? []).length + (rule.resources ?? []).length + (rule.resourceNames ?? []).length >
        0
      ) {
        errors.push(
          fieldError.invalid(
            `${at}.nonResourceURLs`,
            urls,
            'rules cannot apply to both regular resources and non-resource URLs',
          ),
        );
      }
      return;
    }
    if ((rule.apiGroups ?? []).length === 0) {
      errors.push(
        fieldError.required(`${at}.apiGroups`, 'resource rules must supply at least one api group'),
      );
    }
    if ((rule.resources ?? []).length === 0) {
      errors.push(fieldError.required(`${at}.resources`, 'resource rules must supply at least one resource'));
    }
  });
  return errors;
}

function validateAggregationRule(role: KubeObject): FieldError[] {
  const rule = role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | null | undefined;
  if (rule === undefined || rule === null) return [];
  const selectors = rule.clusterRoleSelectors ?? [];
  if (selectors.length === 0) {
    return [
      fieldError.required(
        'aggregationRule.clusterRoleSelectors',
        'at least one clusterRoleSelector required if aggregationRule is non-nil',
      ),
    ];
  }
  return selectors.flatMap((selector, index) => {
    const at = `aggregationRule.clusterRoleSelectors[${index}]`;
    const errors = validateLabelSelector(selector, at);
    try {
      labelSelectorAsSelector(selector);
    } catch {
      errors.push(fieldError.invalid(at, selector, 'invalid label selector.'));
    }
    return errors;
  });
}

/** upstream's ValidateRBACName: a path segment name. */
function nameProblems(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return [...name].flatMap((char) => (char === '/' || char === '%' ? [`may not contain '${char}'`] : []));
}

function defaultBinding(binding: KubeObject): void {
  const roleRef = binding.roleRef as RoleRef | undefined;
  if (roleRef && !roleRef.apiGroup) roleRef.apiGroup = rbacGroup;
  for (const subject of Array.isArray(binding.subjects) ? (binding.subjects as Subject[]) : []) {
    if (!subject.apiGroup && (subject.kind === 'User' || subject.kind === 'Group'))
      subject.apiGroup = rbacGroup;
  }
}

function validateBinding(
  binding: KubeObject,
  old: KubeObject | undefined,
  namespaced: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const roleRef = (binding.roleRef ?? {}) as RoleRef;
  if ((roleRef.apiGroup ?? '') !== rbacGroup) {
    errors.push(fieldError.notSupported('roleRef.apiGroup', roleRef.apiGroup ?? '', [rbacGroup]));
  }
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  // An empty kind or name is the schema's Required error already.
  if (roleRef.kind && !kinds.includes(roleRef.kind)) {
    errors.push(fieldError.notSupported('roleRef.kind', roleRef.kind, kinds));
  }
  for (const problem of nameProblems(roleRef.name ?? '')) {
    errors.push(fieldError.invalid('roleRef.name', roleRef.name, problem));
  }
  const subjects = Array.isArray(binding.subjects) ? (binding.subjects as Subject[]) : [];
  subjects.forEach((subject, index) => {
    const at = `subjects[${index}]`;
    switch (subject.kind) {
      case 'ServiceAccount':
        if (subject.name) {
          for (const problem of isDNS1123Subdomain(subject.name)) {
            errors.push(fieldError.invalid(`${at}.name`, subject.name, problem));
          }
        }
        if (subject.apiGroup) errors.push(fieldError.notSupported(`${at}.apiGroup`, subject.apiGroup, ['']));
        if (!namespaced && !subject.namespace) errors.push(fieldError.required(`${at}.namespace`, ''));
        break;
      case 'User':
      case 'Group':
        if (subject.apiGroup !== rbacGroup) {
          errors.push(fieldError.notSupported(`${at}.apiGroup`, subject.apiGroup ?? '', [rbacGroup]));
        }
        break;
      case undefined:
      case '':
        break;
      default:
        errors.push(fieldError.notSupported(`${at}.kind`, subject.kind, ['ServiceAccount', 'User', 'Group']));
    }
  });
  if (old) {
    const previous = (old.roleRef ?? {}) as RoleRef;
    if (
      previous.apiGroup !== roleRef.apiGroup ||
      previous.kind !== roleRef.kind ||
      previous.name !== roleRef.name
    ) {
      errors.push(fieldError.invalid('roleRef', roleRef, 'cannot change roleRef'));
    }
  }
  return errors;
}

export const roleStrategy: Strategy = {
  validate: (role) => validateRules(role, true),
};

export const clusterRoleStrategy: Strategy = {
  validate: (role) => [...validateRules(role, false), ...validateAggregationRule(role)],
};

export const roleBindingStrategy: Strategy = {
  default: defaultBinding,
  validate: (binding, old) => validateBinding(binding, old, true),
};

export const clusterRoleBindingStrategy: Strategy = {
  default: defaultBinding,
  validate: (binding, old) => validateBinding(binding, old, false),
};
