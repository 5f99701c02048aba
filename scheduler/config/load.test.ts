import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, describe as group, test } from 'vitest';
import { isSchedulerError } from '../errors.js';
import { loadSchedulerConfiguration, parseGoDuration, parseSchedulerConfiguration } from './load.js';

const header = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

function problemsOf(text: string): string {
  try {
    parseSchedulerConfiguration(text, 'profile.yaml');
    return 'valid';
  } catch (error) {
    expect(isSchedulerError(error, 'SKIFF_ERR_SCHEDULER_CONFIG')).toBe(true);
    return (error as Error).message;
  }
}

group('loading a KubeSchedulerConfiguration', () => {
  test('a file in kube-scheduler’s shape loads as it is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-scheduler-config-'));
    try {
      const path = join(dir, 'profile.yaml');
      await writeFile(
        path,
        `${header}percentageOfNodesToScore: 20
leaderElection:
  leaderElect: true
  leaseDuration: 30s
profiles:
- schedulerName: default-scheduler
- schedulerName: packer
  plugins:
    score:
      disabled:
      - name: NodeResourcesBalancedAllocation
      enabled:
      - name: NodeResourcesFit
        weight: 5
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
`,
      );
      const config = await loadSchedulerConfiguration(path);
      expect(config.percentageOfNodesToScore).toBe(20);
      expect(config.profiles?.map((profile) => profile.schedulerName)).toEqual([
        'default-scheduler',
        'packer',
      ]);
      expect(config.profiles?.[1]?.pluginConfig?.[0]?.args).toEqual({
        scoringStrategy: { type: 'MostAllocated' },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a missing file is a configuration error', async () => {
    let thrown: unknown;
    try {
      await loadSchedulerConfiguration('/nonexistent/profile.yaml');
    } catch (error) {
      thrown = error;
    }
    expect(isSchedulerError(thrown, 'SKIFF_ERR_SCHEDULER_CONFIG')).toBe(true);
  });

  test.each([
    { name: 'a minimal file', text: header, want: 'valid' },
    {
      name: 'the wrong apiVersion',
      text: 'apiVersion: kubescheduler.config.k8s.io/v1beta2\nkind: KubeSchedulerConfiguration\n',
      want: 'profile.yaml is invalid:\napiVersion: Unsupported value: "kubescheduler.config.k8s.io/v1beta2": supported values: "kubescheduler.config.k8s.io/v1"',
    },
    {
      name: 'a percentage out of range',
      text: `${header}percentageOfNodesToScore: 120\n`,
      want: 'profile.yaml is invalid:\npercentageOfNodesToScore: Invalid value: 120: not in valid range [0-100]',
    },
    {
      name: 'two profiles with one name',
      text: `${header}profiles:\n- schedulerName: a\n- schedulerName: a\n`,
      want: 'profile.yaml is invalid:\nprofiles[1].schedulerName: Duplicate value: "a"',
    },
    {
      name: 'a plugin without a name and a negative weight',
      text: `${header}profiles:\n- plugins:\n    score:\n      enabled:\n      - weight: -1\n`,
      want: 'profile.yaml is invalid:\nprofiles[0].plugins.score.enabled[0].name: Required value\nprofiles[0].plugins.score.enabled[0].weight: Invalid value: -1: must be a non-negative integer',
    },
    {
      name: 'a bad duration',
      text: `${header}leaderElection:\n  leaseDuration: soon\n`,
      want: 'profile.yaml is invalid:\nleaderElection.leaseDuration: Invalid value: "soon": not a duration',
    },
  ])('$name', ({ text, want }) => {
    expect(problemsOf(text)).toBe(want);
  });

  test('text that is not YAML', () => {
    expect(problemsOf('profiles: [')).toMatch(/^profile\.yaml is not valid YAML: /);
  });

  test.each([
    { text: '15s', want: 15_000 },
    { text: '1m30s', want: 90_000 },
    { text: '500ms', want: 500 },
    { text: '1.5h', want: 5_400_000 },
    { text: '0', want: 0 },
    { text: '15', want: undefined },
  ])('Go duration $text', ({ text, want }) => {
    expect(parseGoDuration(text)).toBe(want);
  });
});
