import { describe, expect, it } from 'vitest';
import {
  evaluatePod,
  forbiddenDetail,
  forbiddenReason,
  type LevelVersion,
  type PodSpec,
  policyFromLabels,
} from './pod-security-policy.js';

const restricted: LevelVersion = { level: 'restricted', version: 'latest' };
const baseline: LevelVersion = { level: 'baseline', version: 'latest' };

/** A container that passes restricted. */
const hardened = (name: string) => ({
  name,
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  },
});

const detail = (level: LevelVersion, spec: PodSpec, annotations?: Record<string, string>) =>
  forbiddenDetail(evaluatePod(level, annotations ? { annotations } : {}, spec));

describe('the Pod Security Standards', () => {
  it('lists every restricted violation of a privileged pod, baseline checks first, in upstream’s words', () => {
    const spec: PodSpec = { containers: [{ name: 'c', securityContext: { privileged: true } }] };
    expect(detail(restricted, spec)).toBe(
      'privileged (container "c" must not set securityContext.privileged=true), ' +
        'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    expect(forbiddenReason(evaluatePod(restricted, {}, spec))).toBe(
      'privileged, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
    );
    expect(detail(baseline, spec)).toBe(
      'privileged (container "c" must not set securityContext.privileged=true)',
    );
  });

  it('lets a hardened pod through restricted, and anything through privileged', () => {
    const spec: PodSpec = {
      containers: [hardened('app')],
      initContainers: [hardened('init')],
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'bare' },
        { name: 'token', projected: { sources: [] } },
      ],
    };
    expect(evaluatePod(restricted, {}, spec).every((result) => result.allowed)).toBe(true);
    expect(evaluatePod({ level: 'privileged', version: 'latest' }, {}, { hostNetwork: true })).toEqual([]);
  });

  it.each([
    [
      'host ports, sorted as strings',
      {
        containers: [
          { name: 'a' },
          { name: 'b', ports: [{ hostPort: 20 }, { containerPort: 80 }] },
          { name: 'c', ports: [{ hostPort: 10 }, { hostPort: 30 }] },
        ],
      } as PodSpec,
      'hostPort (containers "b", "c" use hostPorts 10, 20, 30)',
    ],
    [
      'host namespaces',
      { hostNetwork: true, hostIPC: true, containers: [{ name: 'a' }] },
      'host namespaces (hostNetwork=true, hostIPC=true)',
    ],
    [
      'hostPath volumes',
      { volumes: [{ name: 'root', hostPath: { path: '/' } }], containers: [{ name: 'a' }] },
      'hostPath volumes (volume "root")',
    ],
    [
      'capabilities beyond the default set',
      {
        containers: [
          { name: 'a', securityContext: { capabilities: { add: ['SYS_ADMIN', 'CHOWN', 'NET_RAW'] } } },
        ],
      },
      'non-default capabilities (container "a" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add)',
    ],
    [
      'SELinux options',
      {
        securityContext: { seLinuxOptions: { type: 'foo', user: 'u', role: 'r' } },
        containers: [{ name: 'e', securityContext: { seLinuxOptions: { type: 'bar' } } }],
      },
      'seLinuxOptions (pod and container "e" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set)',
    ],
    [
      'an Unconfined AppArmor profile',
      { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [{ name: 'a' }] },
      'forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined")',
    ],
    [
      'unsafe sysctls, in the order given',
      {
        securityContext: {
          sysctls: [{ name: 'kernel.msgmax' }, { name: 'net.ipv4.tcp_rmem' }, { name: 'a.b' }],
        },
      },
      'forbidden sysctls (kernel.msgmax, a.b)',
    ],
    [
      'an unmasked /proc',
      { containers: [{ name: 'a', securityContext: { procMount: 'Unmasked' } }] },
      'procMount (container "a" must not set securityContext.procMount to "Unmasked")',
    ],
    [
      'a Windows host process',
      { securityContext: { windowsOptions: { hostProcess: true } }, containers: [{ name: 'a' }] },
      'hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)',
    ],
    [
      'an Unconfined seccomp profile',
      { containers: [{ name: 'a', securityContext: { seccompProfile: { type: 'Unconfined' } } }] },
      'seccompProfile (container "a" must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
  ])('baseline refuses %s', (_name, spec, expected) => {
    expect(detail(baseline, spec)).toBe(expected);
  });

  it.each([
    [
      'restricted volume types in place of hostPath volumes',
      {
        containers: [hardened('a')],
        volumes: [
          { name: 'h', hostPath: { path: '/' } },
          { name: 'n', nfs: { server: 's', path: '/' } },
          { name: 'ok', configMap: { name: 'c' } },
        ],
      } as PodSpec,
      'restricted volume types (volumes "h", "n" use restricted volume types "hostPath", "nfs")',
    ],
    [
      'added capabilities other than NET_BIND_SERVICE',
      {
        containers: [
          {
            ...hardened('a'),
            securityContext: {
              ...hardened('a').securityContext,
              capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN'] },
            },
          },
        ],
      },
      'unrestricted capabilities (container "a" must not include "CHOWN" in securityContext.capabilities.add)',
    ],
    [
      'runAsNonRoot=false on the pod and a container',
      {
        securityContext: { runAsNonRoot: false },
        containers: [
          { ...hardened('a'), securityContext: { ...hardened('a').securityContext, runAsNonRoot: false } },
        ],
      },
      'runAsNonRoot != true (pod and container "a" must not set securityContext.runAsNonRoot=false)',
    ],
    [
      'runAsUser=0',
      { securityContext: { runAsUser: 0 }, containers: [hardened('a')] },
      'runAsUser=0 (pod must not set runAsUser=0)',
    ],
  ])('restricted refuses %s', (_name, spec, expected) => {
    expect(detail(restricted, spec)).toBe(expected);
  });

  it('judges by the version asked for: before 1.23 root is allowed, before 1.19 seccomp is annotations', () => {
    const spec: PodSpec = {
      securityContext: { runAsUser: 0, runAsNonRoot: true },
      containers: [hardened('a')],
    };
    expect(detail({ level: 'restricted', version: 22 }, spec)).toBe('');
    expect(detail({ level: 'restricted', version: 23 }, spec)).toBe(
      'runAsUser=0 (pod must not set runAsUser=0)',
    );
    const annotated = { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' };
    expect(detail({ level: 'baseline', version: 18 }, { containers: [{ name: 'a' }] }, annotated)).toBe(
      'seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")',
    );
    expect(detail({ level: 'baseline', version: 19 }, { containers: [{ name: 'a' }] }, annotated)).toBe('');
    // A version newer than any check is judged as the newest.
    expect(detail({ level: 'restricted', version: 99 }, spec)).toBe(detail(restricted, spec));
  });

  it('exempts Windows pods from the Linux-only restricted checks from 1.25', () => {
    const spec: PodSpec = {
      os: { name: 'windows' },
      securityContext: { runAsNonRoot: true },
      containers: [{ name: 'w' }],
    };
    expect(detail(restricted, spec)).toBe('');
    expect(detail({ level: 'restricted', version: 24 }, spec)).toContain('allowPrivilegeEscalation != false');
  });
});

describe('namespace labels', () => {
  it('give privileged:latest everywhere when absent', () => {
    const { policy, errors } = policyFromLabels(undefined);
    expect(policy.enforce).toEqual({ level: 'privileged', version: 'latest' });
    expect(errors).toEqual([]);
  });

  it('read levels and versions, and warn at the enforce level when warn is not set', () => {
    const { policy } = policyFromLabels({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.29',
    });
    expect(policy.enforce).toEqual({ level: 'baseline', version: 29 });
    expect(policy.warn).toEqual({ level: 'baseline', version: 29 });
    expect(policy.audit).toEqual({ level: 'privileged', version: 'latest' });
  });

  it('fail closed on a bad enforce level and open on a bad warn level, naming each bad label', () => {
    const { policy, errors } = policyFromLabels({
      'pod-security.kubernetes.io/enforce': 'strict',
      'pod-security.kubernetes.io/warn': 'loud',
      'pod-security.kubernetes.io/audit-version': '1.25',
    });
    expect(policy.enforce.level).toBe('restricted');
    expect(policy.warn.level).toBe('privileged');
    expect(errors.map((error) => [error.field, error.detail])).toEqual([
      [
        'metadata.labels[pod-security.kubernetes.io/enforce]',
        'must be one of privileged, baseline, restricted',
      ],
      ['metadata.labels[pod-security.kubernetes.io/audit-version]', 'must be "latest" or "v1.x"'],
      ['metadata.labels[pod-security.kubernetes.io/warn]', 'must be one of privileged, baseline, restricted'],
    ]);
  });
});
