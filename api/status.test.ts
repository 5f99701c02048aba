import { describe, expect, it } from 'vitest';
import { fieldError } from './field-error.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  fromStatus,
  generateNameConflict,
  gone,
  internalError,
  invalid,
  isStatusError,
  methodNotSupported,
  notAcceptable,
  notFound,
  optimisticLockErrorMessage,
  requestEntityTooLarge,
  resourceExpired,
  type Status,
  StatusError,
  serviceUnavailable,
  timeout,
  tooLargeResourceVersion,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
} from './status.js';

const pods = { group: '', resource: 'pods' };
const deployments = { group: 'apps', resource: 'deployments' };
const mediaTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function failure(rest: Omit<Status, 'kind' | 'apiVersion' | 'metadata' | 'status'>): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...rest };
}

describe('the status catalog', () => {
  it.each<[string, StatusError, Status]>([
    [
      'a missing core object',
      notFound(pods, 'web'),
      failure({
        message: 'pods "web" not found',
        reason: 'NotFound',
        details: { name: 'web', kind: 'pods' },
        code: 404,
      }),
    ],
    [
      'a missing object outside the core group is group-qualified',
      notFound(deployments, 'web'),
      failure({
        message: 'deployments.apps "web" not found',
        reason: 'NotFound',
        details: { name: 'web', group: 'apps', kind: 'deployments' },
        code: 404,
      }),
    ],
    [
      'a name is quoted the way Go quotes it',
      notFound(pods, 'we"b\n'),
      failure({
        message: 'pods "we\\"b\\n" not found',
        reason: 'NotFound',
        details: { name: 'we"b\n', kind: 'pods' },
        code: 404,
      }),
    ],
    [
      'an object that already exists',
      alreadyExists(pods, 'web'),
      failure({
        message: 'pods "web" already exists',
        reason: 'AlreadyExists',
        details: { name: 'web', kind: 'pods' },
        code: 409,
      }),
    ],
    [
      'a generated name that collided asks the client to retry',
      generateNameConflict(pods, 'web-x7k2p', 1),
      failure({
        message:
          'pods "web-x7k2p" already exists, the server was not able to generate a unique name for the object',
        reason: 'AlreadyExists',
        details: { name: 'web-x7k2p', kind: 'pods', retryAfterSeconds: 1 },
        code: 409,
      }),
    ],
    [
      'a stale update',
      conflict(deployments, 'web', optimisticLockErrorMessage),
      failure({
        message:
          'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
        reason: 'Conflict',
        details: { name: 'web', group: 'apps', kind: 'deployments' },
        code: 409,
      }),
    ],
    [
      'a malformed request',
      badRequest("unable to parse requirement: found '', expected: identifier"),
      failure({
        message: "unable to parse requirement: found '', expected: identifier",
        reason: 'BadRequest',
        code: 400,
      }),
    ],
    [
      'no credentials, with the default message',
      unauthorized(),
      failure({ message: 'not authorized', reason: 'Unauthorized', code: 401 }),
    ],
    [
      'no credentials, with a message',
      unauthorized('Unauthorized'),
      failure({ message: 'Unauthorized', reason: 'Unauthorized', code: 401 }),
    ],
    [
      'an RBAC denial on a collection',
      forbidden(
        pods,
        '',
        'User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
      ),
      failure({
        message:
          'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
        reason: 'Forbidden',
        details: { kind: 'pods' },
        code: 403,
      }),
    ],
    [
      'a denial on a named object',
      forbidden(deployments, 'web', 'no'),
      failure({
        message: 'deployments.apps "web" is forbidden: no',
        reason: 'Forbidden',
        details: { name: 'web', group: 'apps', kind: 'deployments' },
        code: 403,
      }),
    ],
    [
      'a denial with no resource',
      forbidden({ group: '', resource: '' }, '', 'User "bob" cannot get path "/metrics"'),
      failure({
        message: 'forbidden: User "bob" cannot get path "/metrics"',
        reason: 'Forbidden',
        details: {},
        code: 403,
      }),
    ],
    [
      'a verb the resource does not support',
      methodNotSupported({ group: '', resource: 'componentstatuses' }, 'create'),
      failure({
        message: 'create is not supported on resources of kind "componentstatuses"',
        reason: 'MethodNotAllowed',
        details: { kind: 'componentstatuses' },
        code: 405,
      }),
    ],
    [
      'an Accept header the server cannot satisfy',
      notAcceptable(mediaTypes),
      failure({
        message:
          'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
        reason: 'NotAcceptable',
        code: 406,
      }),
    ],
    [
      'a body the server cannot read',
      unsupportedMediaType(mediaTypes),
      failure({
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
        reason: 'UnsupportedMediaType',
        code: 415,
      }),
    ],
    [
      'a watch from a compacted revision',
      resourceExpired('too old resource version: 5 (10)'),
      failure({ message: 'too old resource version: 5 (10)', reason: 'Expired', code: 410 }),
    ],
    [
      'the older Gone reason',
      gone('The resourceVersion for the provided watch is too old.'),
      failure({
        message: 'The resourceVersion for the provided watch is too old.',
        reason: 'Gone',
        code: 410,
      }),
    ],
    [
      'a body over the size limit',
      requestEntityTooLarge('limit is 3145728'),
      failure({
        message: 'Request entity too large: limit is 3145728',
        reason: 'RequestEntityTooLarge',
        code: 413,
      }),
    ],
    [
      'throttling tells the client when to come back',
      tooManyRequests('too many requests, please try again later', 1),
      failure({
        message: 'too many requests, please try again later',
        reason: 'TooManyRequests',
        details: { retryAfterSeconds: 1 },
        code: 429,
      }),
    ],
    [
      'an internal error carries the error as its cause',
      internalError(new Error('etcd is down')),
      failure({
        message: 'Internal error occurred: etcd is down',
        reason: 'InternalError',
        details: { causes: [{ message: 'etcd is down' }] },
        code: 500,
      }),
    ],
    [
      'an unavailable server',
      serviceUnavailable('the server is shutting down'),
      failure({ message: 'the server is shutting down', reason: 'ServiceUnavailable', code: 503 }),
    ],
    [
      'a timeout without a retry hint keeps an empty details object, as Go writes it',
      timeout('request did not complete within requested timeout - context deadline exceeded'),
      failure({
        message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
        reason: 'Timeout',
        details: {},
        code: 504,
      }),
    ],
    [
      'a read at a future resourceVersion',
      tooLargeResourceVersion(12, 10),
      failure({
        message: 'Timeout: Too large resource version: 12, current: 10',
        reason: 'Timeout',
        details: {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        },
        code: 504,
      }),
    ],
  ])('%s', (_behaviour, error, status) => {
    expect(error.status).toEqual(status);
    expect(error.code).toBe(status.code);
    expect(error.reason).toBe(status.reason);
    expect(error.message).toBe(status.message);
  });

  it('serialises exactly as the Kubernetes API server does, member order included', () => {
    expect(JSON.stringify(notFound(pods, 'web'))).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"web\\" not found","reason":"NotFound","details":{"name":"web","kind":"pods"},"code":404}',
    );
  });

  describe('invalid', () => {
    const pod = { group: '', kind: 'Pod' };

    it('names the kind and the one problem', () => {
      const error = invalid(pod, 'web', [fieldError.required('spec.containers[0].image')]);
      expect(error.status).toEqual(
        failure({
          message: 'Pod "web" is invalid: spec.containers[0].image: Required value',
          reason: 'Invalid',
          details: {
            name: 'web',
            kind: 'Pod',
            causes: [
              { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
            ],
          },
          code: 422,
        }),
      );
    });

    it('lists several problems in brackets and keeps one cause each, repeats included', () => {
      const image = fieldError.required('spec.containers[0].image');
      const policy = fieldError.notSupported('spec.restartPolicy', 'Sometimes', [
        'Always',
        'OnFailure',
        'Never',
      ]);
      const error = invalid({ group: 'apps', kind: 'Deployment' }, 'web', [image, policy, image]);
      expect(error.message).toBe(
        'Deployment.apps "web" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"]',
      );
      expect(error.status.details).toEqual({
        name: 'web',
        group: 'apps',
        kind: 'Deployment',
        causes: [
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
          {
            reason: 'FieldValueNotSupported',
            message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
            field: 'spec.restartPolicy',
          },
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
        ],
      });
    });

    it('with no field errors says only that the object is invalid', () => {
      const error = invalid(pod, 'web', []);
      expect(error.message).toBe('Pod "web" is invalid');
      expect(error.status.details).toEqual({ name: 'web', kind: 'Pod' });
    });
  });

  describe('recognising errors', () => {
    it('tells a status error by its reason', () => {
      const error = notFound(pods, 'web');
      expect(isStatusError(error)).toBe(true);
      expect(isStatusError(error, 'NotFound')).toBe(true);
      expect(isStatusError(error, 'AlreadyExists')).toBe(false);
    });

    it('does not mistake other errors for status errors', () => {
      expect(isStatusError(new Error('pods "web" not found'))).toBe(false);
      expect(isStatusError(undefined)).toBe(false);
    });

    it('rebuilds an error from a Status a server sent', () => {
      const status = conflict(pods, 'web', optimisticLockErrorMessage).status;
      const rebuilt = fromStatus(status);
      expect(isStatusError(rebuilt, 'Conflict')).toBe(true);
      expect(rebuilt.message).toBe(status.message);
      expect(rebuilt.code).toBe(409);
    });

    it('cannot be constructed outside the catalog', () => {
      const Construct = StatusError as unknown as new (token: symbol, status: Status) => StatusError;
      expect(() => new Construct(Symbol('StatusError'), notFound(pods, 'web').status)).toThrow(TypeError);
    });
  });
});
