import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../field-error.js';
import type { KubeObject } from '../resource.js';
import { coreEventStrategy } from './events.js';

const check = (event: KubeObject) => (coreEventStrategy.validate?.(event) ?? []).map(formatFieldError);

const event = (namespace: string, involvedNamespace: string | undefined, extra: object = {}): KubeObject => ({
  metadata: { name: 'e', namespace },
  involvedObject: {
    kind: 'Pod',
    name: 'web',
    ...(involvedNamespace === undefined ? {} : { namespace: involvedNamespace }),
  },
  reason: 'Started',
  ...extra,
});

const newStyle = {
  eventTime: '2025-06-01T12:00:00.000000Z',
  reportingComponent: 'kubelet',
  reportingInstance: 'node-1',
  action: 'Started',
};

describe('the core event strategy', () => {
  it.each([
    ['its own namespace', event('web', 'web'), []],
    [
      'another namespace',
      event('web', 'db'),
      ['involvedObject.namespace: Invalid value: "db": does not match event.namespace'],
    ],
    [
      'no namespace, in a namespace',
      event('web', undefined),
      ['involvedObject.namespace: Invalid value: "": does not match event.namespace'],
    ],
    ['no namespace, in default', event('default', undefined), []],
  ])('takes an old-style event about an object in %s: %j', (_, object, expected) => {
    expect(check(object)).toEqual(expected);
  });

  it.each([
    ['complete, in its own namespace', event('web', 'web', newStyle), []],
    ['about a cluster object, in kube-system', event('kube-system', undefined, newStyle), []],
    [
      'about a cluster object, elsewhere',
      event('web', undefined, newStyle),
      ['involvedObject.namespace: Invalid value: "": does not match event.namespace'],
    ],
    [
      'without its reporter and action',
      event('web', 'web', { eventTime: newStyle.eventTime, reportingComponent: 'kubelet' }),
      ['reportingInstance: Required value', 'action: Required value'],
    ],
    [
      'with a 129-character reason',
      event('web', 'web', { ...newStyle, reason: 'r'.repeat(129) }),
      ['reason: Invalid value: "": can have at most 128 characters'],
    ],
  ])('takes a new-style event %s: %j', (_, object, expected) => {
    expect(check(object)).toEqual(expected);
  });
});
