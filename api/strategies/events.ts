import { type FieldError, fieldError } from '../field-error.js';
import { validateLabelKey } from '../labels.js';
import { isDNS1123Subdomain } from '../names.js';
import type { KubeObject, Strategy } from '../resource.js';

/**
 * core/v1 Events, checked as upstream checks every event written through the core API (its
 * legacyValidateEvent, on create and update alike; the stricter rules are events.k8s.io's).
 *
 * An old-style event (no eventTime) is about an object in its own namespace: involvedObject.namespace
 * must equal the event's, or be empty for an event in `default` (or cluster-scoped). A new-style
 * event (eventTime set) may leave involvedObject.namespace empty only in `default` or `kube-system`,
 * and must say who reported it and what was done:
 *
 *   ns "web", involvedObject.namespace "web"   → valid
 *   ns "web", involvedObject.namespace "db"    → involvedObject.namespace: Invalid value: "db": does not match event.namespace
 *   ns "web", involvedObject.namespace ""      → the same, with ""
 */
interface CoreEvent {
  metadata?: { namespace?: string };
  involvedObject?: { namespace?: string };
  eventTime?: string | null;
  reportingComponent?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  message?: string;
}

const reportingInstanceLimit = 128;
const actionLimit = 128;
const reasonLimit = 128;
const noteLimit = 1024;
const mismatch = 'does not match event.namespace';

function validateEvent(object: KubeObject): FieldError[] {
  const event = object as CoreEvent;
  const namespace = event.metadata?.namespace ?? '';
  const involvedNamespace = event.involvedObject?.namespace ?? '';
  const errors: FieldError[] = [];
  const tooLong = (field: string, value: string | undefined, limit: number) => {
    if ((value ?? '').length > limit)
      errors.push(fieldError.invalid(field, '', `can have at most ${limit} characters`));
  };
  if (!event.eventTime) {
    const matches =
      involvedNamespace === ''
        ? namespace === '' || namespace === 'default'
        : namespace === involvedNamespace;
    if (!matches) errors.push(fieldError.invalid('involvedObject.namespace', involvedNamespace, mismatch));
  } else {
    if (involvedNamespace === '' && namespace !== 'default' && namespace !== 'kube-system') {
      errors.push(fieldError.invalid('involvedObject.namespace', involvedNamespace, mismatch));
    }
    // Upstream names the field by its internal name, reportingController; core/v1 spells it reportingComponent.
    const controller = event.reportingComponent ?? '';
    if (controller === '') errors.push(fieldError.required('reportingController', ''));
    for (const problem of validateLabelKey(controller)) {
      errors.push(fieldError.invalid('reportingController', controller, problem));
    }
    if (!event.reportingInstance) errors.push(fieldError.required('reportingInstance', ''));
    tooLong('reportingInstance', event.reportingInstance, reportingInstanceLimit);
    if (!event.action) errors.push(fieldError.required('action', ''));
    tooLong('action', event.action, actionLimit);
    if (!event.reason) errors.push(fieldError.required('reason', ''));
    tooLong('reason', event.reason, reasonLimit);
    tooLong('message', event.message, noteLimit);
  }
  for (const problem of isDNS1123Subdomain(namespace))
    errors.push(fieldError.invalid('namespace', namespace, problem));
  return errors;
}

export const coreEventStrategy: Strategy = {
  validate: validateEvent,
};
