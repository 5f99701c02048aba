import { describe, expect, it } from 'vitest';
import { fieldError } from '../field-error.js';
import { invalid, notFound } from '../status.js';
import '../types/index.js';
import {
  decodeProtobufObject,
  decodeProtobufWatchFrames,
  encodeProtobufObject,
  encodeProtobufStatus,
  encodeProtobufWatchEvent,
  goDuration,
  ProtobufEncodeError,
  parseGoDuration,
} from './protobuf.js';

// --- a small wire reader, so the tests check bytes without trusting the encoder's own library ---

interface WireField {
  number: number;
  wireType: number;
  varint?: bigint;
  bytes?: Buffer;
}

/** The fields of one message in wire order. */
function wireFields(message: Uint8Array): WireField[] {
  const buffer = Buffer.from(message);
  const fields: WireField[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buffer[offset++];
      if (byte === undefined) throw new Error('varint runs past the end');
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const number = key >>> 3;
    const wireType = key & 7;
    if (wireType === 0) {
      fields.push({ number, wireType, varint: varint() });
    } else if (wireType === 2) {
      const length = Number(varint());
      fields.push({ number, wireType, bytes: buffer.subarray(offset, offset + length) });
      offset += length;
    } else if (wireType === 1 || wireType === 5) {
      const length = wireType === 1 ? 8 : 4;
      fields.push({ number, wireType, bytes: buffer.subarray(offset, offset + length) });
      offset += length;
    } else {
      throw new Error(`unexpected wire type ${wireType}`);
    }
  }
  return fields;
}

/** The bytes of a nested message, following field numbers (the first occurrence of each). */
function messageAt(message: Uint8Array, ...path: number[]): Buffer {
  let current: Buffer = Buffer.from(message);
  for (const number of path) {
    const found = wireFields(current).find((field) => field.number === number);
    if (!found?.bytes) throw new Error(`no length-delimited field ${number} on the path ${path.join('.')}`);
    current = found.bytes;
  }
  return current;
}

/** The object's own message inside a `k8s\0` envelope (runtime.Unknown field 2). */
const rawOf = (encoded: Buffer) => messageAt(encoded.subarray(4), 2);

const roundTrip = (object: Record<string, unknown>) => decodeProtobufObject(encodeProtobufObject(object));

// --- realistic objects ---

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-7d4b9c-x2x9z',
    generateName: 'web-7d4b9c-',
    namespace: 'demo',
    uid: '9b0d2a47-2f5e-4c61-9a54-0f3c1f4f7c11',
    resourceVersion: '4711',
    generation: 5_000_000_000,
    creationTimestamp: '2025-03-01T12:34:56Z',
    deletionTimestamp: '2025-03-01T13:00:00Z',
    deletionGracePeriodSeconds: 30,
    labels: { app: 'web', 'pod-template-hash': '7d4b9c' },
    annotations: { 'kubernetes.io/description': 'front end' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-7d4b9c',
        uid: '3c1a8e55-6f0b-4f57-8d7e-2b8f1c7a9d01',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
    finalizers: ['example.com/cleanup'],
    managedFields: [
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2025-03-01T12:34:56Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': {} },
      },
    ],
  },
  spec: {
    volumes: [
      {
        name: 'config',
        configMap: { name: 'web-config', items: [{ key: 'a', path: 'a.conf' }], defaultMode: 420 },
      },
      { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
      { name: 'cache', emptyDir: {} },
      { name: 'logs', hostPath: { path: '/var/log/web', type: 'DirectoryOrCreate' } },
    ],
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        command: ['nginx'],
        args: ['-g', 'daemon off;'],
        ports: [
          { name: 'http', containerPort: 80, protocol: 'TCP' },
          { containerPort: 9090, hostPort: 19090, protocol: 'UDP' },
        ],
        env: [
          { name: 'MODE', value: 'fast' },
          { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        ],
        resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } },
        volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }],
        livenessProbe: {
          httpGet: {
            path: '/healthz',
            port: 8080,
            scheme: 'HTTP',
            httpHeaders: [{ name: 'X-Probe', value: '1' }],
          },
          initialDelaySeconds: 5,
          periodSeconds: 10,
          failureThreshold: 3,
        },
        readinessProbe: { httpGet: { path: '/ready', port: 'http' }, timeoutSeconds: 1, successThreshold: 1 },
        imagePullPolicy: 'IfNotPresent',
        tty: false,
      },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    nodeName: 'node-1',
    securityContext: { runAsUser: 1000, runAsNonRoot: true, supplementalGroups: [1000, 70000] },
    tolerations: [
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ],
  },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-03-01T12:35:10Z' }],
    podIP: '10.0.0.5',
    startTime: '2025-03-01T12:34:57Z',
    containerStatuses: [
      {
        name: 'web',
        state: { running: { startedAt: '2025-03-01T12:35:01Z' } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: 'nginx:1.27',
        imageID: 'docker.io/library/nginx@sha256:0123',
        containerID: 'containerd://abc123',
        started: true,
      },
    ],
  },
};

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'demo', generation: 2, labels: { app: 'web' } },
  spec: {
    replicas: 3,
    selector: {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'edge'] }],
    },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
    },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    revisionHistoryLimit: 10,
    paused: false,
    progressDeadlineSeconds: 600,
  },
  status: {
    observedGeneration: 2,
    replicas: 3,
    updatedReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    conditions: [
      {
        type: 'Available',
        status: 'True',
        lastUpdateTime: '2025-03-01T12:36:00Z',
        lastTransitionTime: '2025-03-01T12:36:00Z',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
      },
    ],
  },
};

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'demo' },
  data: {
    password: Buffer.from('s3cr3t').toString('base64'),
    binary: Buffer.from([0x00, 0xff, 0x80, 0x0a]).toString('base64'),
    empty: '',
  },
  type: 'Opaque',
  immutable: true,
};

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'demo' },
  spec: {
    ports: [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' },
      { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 9090, nodePort: 30090 },
    ],
    selector: { app: 'web' },
    clusterIP: '10.96.0.10',
    clusterIPs: ['10.96.0.10'],
    type: 'NodePort',
    sessionAffinity: 'None',
  },
  status: { loadBalancer: {} },
};

const lease = {
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'node-1', namespace: 'kube-node-lease' },
  spec: {
    holderIdentity: 'node-1',
    leaseDurationSeconds: 40,
    acquireTime: '2025-03-01T12:00:00.000001Z',
    renewTime: '2025-03-01T12:34:56.123456Z',
    leaseTransitions: 2,
  },
};

const configMapList = {
  apiVersion: 'v1',
  kind: 'ConfigMapList',
  metadata: { resourceVersion: '812', continue: 'eyJ2IjoxfQ', remainingItemCount: 7 },
  items: [
    { metadata: { name: 'settings', namespace: 'demo' }, data: { mode: 'fast', level: '3' } },
    {
      metadata: { name: 'blob', namespace: 'demo' },
      binaryData: { 'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64') },
      immutable: true,
    },
  ],
};

const tokenReview = {
  apiVersion: 'authentication.k8s.io/v1',
  kind: 'TokenReview',
  metadata: {},
  spec: { token: 'abc', audiences: ['https://kubernetes.default.svc'] },
  status: {
    authenticated: true,
    user: {
      username: 'system:serviceaccount:demo:default',
      groups: ['system:serviceaccounts'],
      extra: { 'authentication.kubernetes.io/pod-name': ['web-0'], scopes: ['a', 'b'] },
    },
  },
};

describe('encodeProtobufObject', () => {
  it('writes a tiny ConfigMap as exactly the bytes its field numbers give', () => {
    // A tag byte is (field number << 3) | wire type; every field here is length-delimited (wire type 2), so
    // field 1 → 0a, 2 → 12, 3 → 1a, 4 → 22, each followed by the length and the bytes.
    // ObjectMeta { 1 name "c1" }:                  0a 02 63 31                         (4 bytes)
    // ConfigMap  { 1 metadata, 2 data entry }:     0a 04 <ObjectMeta>                  (6 bytes)
    //   data is map<string,string>, one entry message { 1 key "a", 2 value "b" }:
    //                                              12 06 0a 01 61 12 01 62             (8 bytes) → raw = 14 bytes
    // TypeMeta   { 1 apiVersion "v1", 2 kind "ConfigMap" }:
    //                                              0a 02 76 31 12 09 "ConfigMap"       (15 bytes)
    // Unknown    { 1 typeMeta, 2 raw, 3 contentEncoding "", 4 contentType "" }:
    //                                              0a 0f <TypeMeta> 12 0e <raw> 1a 00 22 00
    // preceded by the magic 6b 38 73 00: 4 + 17 + 16 + 2 + 2 = 41 bytes.
    const hex = (text: string) => Buffer.from(text).toString('hex');
    const expected = [
      ['6b387300'], // k8s\0
      ['0a0f', '0a02', hex('v1'), '1209', hex('ConfigMap')], // typeMeta
      ['120e', '0a04', '0a02', hex('c1'), '1206', '0a01', hex('a'), '1201', hex('b')], // raw: the ConfigMap
      ['1a00'], // contentEncoding ""
      ['2200'], // contentType ""
    ]
      .flat()
      .join('');
    const encoded = encodeProtobufObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c1' },
      data: { a: 'b' },
    });
    expect(encoded.toString('hex')).toBe(expected);
    expect(encoded).toHaveLength(41);
  });

  it.each([
    ['a Pod with probes, volumes, resources, owner references and managed fields', pod],
    ['a Deployment with maxSurge "25%" and maxUnavailable 1', deployment],
    ['a Secret with base64 data, binary and empty values included', secret],
    ['a Service whose targetPort is a name in one port and a number in another', service],
    ['a Lease whose MicroTimes keep their microseconds', lease],
    ['a ConfigMapList with its list metadata', configMapList],
    ['a TokenReview whose user extra is a map of wrapped lists', tokenReview],
  ])('%s decodes back to itself', (_name, object) => {
    expect(roundTrip(object)).toEqual(object);
  });

  it('finds a list by its kind (PodList, v1); items lose apiVersion and kind, as upstream items do', () => {
    const { apiVersion: _apiVersion, kind: _kind, ...bare } = pod;
    const list = {
      apiVersion: 'v1',
      kind: 'PodList',
      metadata: { resourceVersion: '4711' },
      items: [pod, bare],
    };
    expect(roundTrip(list)).toEqual({ ...list, items: [bare, bare] });
  });

  it('nests inline fields on the wire: a probe handler and a volume source are their own messages', () => {
    const raw = rawOf(encodeProtobufObject(pod));
    // Pod.spec 2 → PodSpec.containers 2 → Container.livenessProbe 10 → Probe.handler 1 → ProbeHandler.httpGet 2
    const httpGet = wireFields(messageAt(raw, 2, 2, 10, 1, 2));
    expect(httpGet.find((field) => field.number === 1)?.bytes?.toString()).toBe('/healthz');
    // Pod.spec 2 → PodSpec.volumes 1 (the first) → Volume.volumeSource 2 → VolumeSource.configMap 19
    //   → ConfigMapVolumeSource.localObjectReference 1 → name 1
    expect(messageAt(raw, 2, 1, 2, 19, 1, 1).toString()).toBe('web-config');
  });

  it('wraps a wrapped list in a message of repeated items', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'APIResourceList',
      groupVersion: 'v1',
      resources: [
        { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] },
      ],
    };
    expect(roundTrip(list)).toEqual(list);
    // APIResourceList.resources 2 → APIResource.verbs 4 → Verbs.items 1, once per verb
    const verbs = wireFields(messageAt(rawOf(encodeProtobufObject(list)), 2, 4));
    expect(verbs.map((field) => [field.number, field.bytes?.toString()])).toEqual([
      [1, 'get'],
      [1, 'list'],
    ]);
  });

  it('writes repeated integers one tag per element, as proto2 does (not packed)', () => {
    // Pod.spec 2 → PodSpec.securityContext 14 → PodSecurityContext.supplementalGroups 4
    const groups = wireFields(messageAt(rawOf(encodeProtobufObject(pod)), 2, 14)).filter(
      (field) => field.number === 4,
    );
    expect(groups).toEqual([
      { number: 4, wireType: 0, varint: 1000n },
      { number: 4, wireType: 0, varint: 70000n },
    ]);
  });

  it('writes map entries in Go’s sorted key order, not JavaScript’s integer-first order', () => {
    const encoded = encodeProtobufObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {},
      data: { b: '1', a: '2', '9': '3', '10': '4' },
    });
    const keys = wireFields(rawOf(encoded))
      .filter((field) => field.number === 2)
      .map((entry) => messageAt(entry.bytes!, 1).toString());
    expect(keys).toEqual(['10', '9', 'a', 'b']);
  });

  it('writes fields in field-number order, not in the order the schema declares them', () => {
    // OwnerReference declares apiVersion (5) first; upstream numbers kind 1, name 3, uid 4, apiVersion 5 …
    const reference = messageAt(rawOf(encodeProtobufObject(pod)), 1, 13);
    expect(wireFields(reference).map((field) => field.number)).toEqual([1, 3, 4, 5, 6, 7]);
  });

  it('writes an IntOrString with type, intVal and strVal, as Go writes it', () => {
    // Deployment.spec 2 → DeploymentSpec.strategy 4 → DeploymentStrategy.rollingUpdate 2
    const rollingUpdate = messageAt(rawOf(encodeProtobufObject(deployment)), 2, 4, 2);
    expect(messageAt(rollingUpdate, 1).toString('hex')).toBe('080010011a00'); // maxUnavailable 1
    expect(messageAt(rollingUpdate, 2).toString('hex')).toBe(
      `08011000${'1a03'}${Buffer.from('25%').toString('hex')}`,
    );
  });

  it('leaves an empty or null Time off the wire instead of writing the epoch', () => {
    const withName = (metadata: Record<string, unknown>) =>
      encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', ...metadata } });
    const unset = withName({});
    expect(withName({ creationTimestamp: null })).toEqual(unset);
    expect(withName({ creationTimestamp: '' })).toEqual(unset);
    expect(decodeProtobufObject(withName({ creationTimestamp: null })).metadata).toEqual({ name: 'c1' });
    // A real time is written: ObjectMeta.creationTimestamp 8 { 1 seconds, 2 nanos }.
    const set = withName({ creationTimestamp: '2025-03-01T12:34:56Z' });
    expect(wireFields(messageAt(rawOf(set), 1, 8))).toEqual([
      { number: 1, wireType: 0, varint: 1740832496n },
      { number: 2, wireType: 0, varint: 0n },
    ]);
  });

  it('writes a time with an offset as the same instant', () => {
    const encoded = encodeProtobufObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c1', creationTimestamp: '2025-03-01T13:34:56+01:00' },
    });
    expect(decodeProtobufObject(encoded).metadata).toEqual({
      name: 'c1',
      creationTimestamp: '2025-03-01T12:34:56Z',
    });
  });

  it('leaves out fields the schema does not know', () => {
    const encoded = encodeProtobufObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c1', surprise: 'x' },
      data: { a: 'b' },
      extra: { deep: true },
    });
    expect(decodeProtobufObject(encoded)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c1' },
      data: { a: 'b' },
    });
  });

  it('encodes an object without apiVersion and kind by schema name, and still names its kind', () => {
    const encoded = encodeProtobufObject({ metadata: { name: 'c1' } }, 'io.k8s.api.core.v1.ConfigMap');
    expect(decodeProtobufObject(encoded)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c1' },
    });
  });

  it('refuses a kind that has no message with SKIFF_ERR_NOT_MARSHALABLE', () => {
    expect(() => encodeProtobufObject({ apiVersion: 'example.com/v1', kind: 'Widget' })).toThrowError(
      expect.objectContaining({ name: 'ProtobufEncodeError', code: 'SKIFF_ERR_NOT_MARSHALABLE' }),
    );
  });

  it.each([
    ['a malformed time', { metadata: { name: 'c1', creationTimestamp: 'yesterday' } }],
    ['text where an integer belongs', { metadata: { name: 'c1', generation: 'many' } }],
    ['a list where a message belongs', { metadata: [] }],
  ])('refuses %s with SKIFF_ERR_INVALID_VALUE', (_name, object) => {
    let thrown: unknown;
    try {
      encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', ...object });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtobufEncodeError);
    expect((thrown as ProtobufEncodeError).code).toBe('SKIFF_ERR_INVALID_VALUE');
  });
});

describe('encodeProtobufStatus', () => {
  it('encodes an Invalid error with its details and causes', () => {
    const status = invalid({ group: '', kind: 'Pod' }, 'web', [
      fieldError.required('spec.containers[0].image'),
      fieldError.invalid('metadata.name', 'Web', 'must be lowercase'),
    ]).status;
    expect(status.details?.causes).toHaveLength(2);
    expect(decodeProtobufObject(encodeProtobufStatus(status))).toEqual(status);
  });

  it('encodes a NotFound error and a hand-written Status with retryAfterSeconds', () => {
    const missing = notFound({ group: 'apps', resource: 'deployments' }, 'web').status;
    expect(decodeProtobufObject(encodeProtobufStatus(missing))).toEqual(missing);
    const busy = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Cannot evict pod as it would violate the pod disruption budget.',
      reason: 'TooManyRequests',
      details: {
        causes: [{ reason: 'DisruptionBudget', message: 'needs 1 healthy pod' }],
        retryAfterSeconds: 10,
      },
      code: 429,
    };
    expect(decodeProtobufObject(encodeProtobufStatus(busy))).toEqual(busy);
  });

  it('names a Status without type meta Status v1 on the wire', () => {
    const success = {
      status: 'Success',
      details: { name: 'web', group: 'apps', kind: 'deployments', uid: 'u-1' },
    };
    expect(decodeProtobufObject(encodeProtobufStatus(success))).toEqual({
      apiVersion: 'v1',
      kind: 'Status',
      ...success,
    });
  });
});

describe('encodeProtobufWatchEvent', () => {
  it('starts a frame with the big-endian length of the event after it', () => {
    const frame = encodeProtobufWatchEvent('ADDED', pod);
    expect(frame.length).toBeGreaterThan(256); // so a little-endian length would read differently
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(frame[0]).toBe(0);
  });

  it('writes the WatchEvent bare and the object inside it with the k8s\\0 envelope', () => {
    const frame = encodeProtobufWatchEvent('MODIFIED', deployment);
    const event = wireFields(frame.subarray(4));
    // No magic and no runtime.Unknown around the event: its first field is type (1), a string.
    expect(frame.subarray(4, 8).toString('hex')).not.toBe('6b387300');
    expect(event.map((field) => [field.number, field.wireType])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(event[0]?.bytes?.toString()).toBe('MODIFIED');
    // object is a RawExtension { 1 raw }, and raw is the whole enveloped object.
    const raw = messageAt(event[1]!.bytes!, 1);
    expect(raw.subarray(0, 4).toString('hex')).toBe('6b387300');
    expect(raw).toEqual(encodeProtobufObject(deployment));
  });

  it('decodes a stream of frames back to its events', () => {
    const bookmark = { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '4800' } };
    const gone = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'too old resource version: 1 (4700)',
      reason: 'Expired',
      code: 410,
    };
    const stream = Buffer.concat([
      encodeProtobufWatchEvent('ADDED', pod),
      encodeProtobufWatchEvent('DELETED', pod),
      encodeProtobufWatchEvent('BOOKMARK', bookmark),
      encodeProtobufWatchEvent('ERROR', gone),
    ]);
    expect(decodeProtobufWatchFrames(stream)).toEqual([
      { type: 'ADDED', object: pod },
      { type: 'DELETED', object: pod },
      { type: 'BOOKMARK', object: bookmark },
      { type: 'ERROR', object: gone },
    ]);
  });

  it('refuses a stream cut inside a frame', () => {
    const frame = encodeProtobufWatchEvent('ADDED', lease);
    expect(() => decodeProtobufWatchFrames(frame.subarray(0, frame.length - 1))).toThrow(/cut short/);
    expect(() => decodeProtobufWatchFrames(frame.subarray(0, 2))).toThrow(/cut short/);
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['300ns', 300],
    ['1µs', 1e3],
    ['1us', 1e3],
    ['250ms', 2.5e8],
    ['1.5s', 1.5e9],
    ['2m3.5s', 123.5e9],
    ['1h30m', 5.4e12],
    ['1h30m0s', 5.4e12],
    ['-5m', -3e11],
    ['+10s', 1e10],
  ])('reads %s as %d ns', (text, nanoseconds) => {
    expect(parseGoDuration(text)).toBe(nanoseconds);
  });

  it.each([[0], [300], [1_500], [250e6], [1.5e9], [123.5e9], [5.4e12], [-3e11]])(
    'reads back what goDuration writes for %d ns',
    (nanoseconds) => {
      expect(parseGoDuration(goDuration(nanoseconds))).toBe(nanoseconds);
    },
  );

  it.each([[''], ['5'], ['1x'], ['h'], ['1h 30m'], ['-']])('refuses %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
