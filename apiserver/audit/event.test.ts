import { describe, expect, it } from 'vitest';
import { microTime, objectReferenceOf, responseStatusOf } from './event.js';

describe('audit event fields', () => {
  it('writes timestamps as upstream MicroTime', () => {
    expect(microTime(Date.UTC(2026, 10, 22, 9, 40, 14, 123))).toBe('2026-11-22T09:40:14.123000Z');
  });

  it('leaves apiGroup out for the core group and keeps upstream field order', () => {
    expect(
      JSON.stringify(
        objectReferenceOf({
          group: '',
          version: 'v1',
          resource: 'pods',
          namespace: 'ns',
          name: 'web',
          verb: 'get',
        }),
      ),
    ).toBe('{"resource":"pods","namespace":"ns","name":"web","apiVersion":"v1"}');
    expect(
      objectReferenceOf({
        group: 'apps',
        version: 'v1',
        resource: 'deployments',
        subresource: 'scale',
        name: 'w',
        namespace: 'n',
        verb: 'update',
      }),
    ).toEqual({
      resource: 'deployments',
      namespace: 'n',
      name: 'w',
      apiGroup: 'apps',
      apiVersion: 'v1',
      subresource: 'scale',
    });
  });

  it('carries status, reason and message only for failures', () => {
    expect(responseStatusOf(200)).toEqual({ metadata: {}, code: 200 });
    expect(responseStatusOf(403, { status: 'Failure', reason: 'Forbidden', message: 'no' })).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'no',
      reason: 'Forbidden',
      code: 403,
    });
  });
});
