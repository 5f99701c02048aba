/**
 * Reads a KubeSchedulerConfiguration file (YAML or JSON) and checks it as kube-scheduler's validation
 * does for the fields Skiff uses. Problems are reported together, one per line, in upstream's field-path
 * form:
 *
 *   profiles[1].schedulerName: Duplicate value: "default-scheduler"
 *   percentageOfNodesToScore: Invalid value: 120: not in valid range [0-100]
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { SchedulerError } from '../errors.js';
import {
  DEFAULT_SCHEDULER_NAME,
  extensionPoints,
  SCHEDULER_CONFIG_API_VERSION,
  SCHEDULER_CONFIG_KIND,
  type SchedulerConfiguration,
} from './types.js';

export async function loadSchedulerConfiguration(path: string): Promise<SchedulerConfiguration> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SchedulerError(
      'SKIFF_ERR_SCHEDULER_CONFIG',
      `could not read the scheduler configuration ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return parseSchedulerConfiguration(text, path);
}

/** Parses and validates configuration text; `source` names it in errors. */
export function parseSchedulerConfiguration(
  text: string,
  source = 'the configuration',
): SchedulerConfiguration {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new SchedulerError(
      'SKIFF_ERR_SCHEDULER_CONFIG',
      `${source} is not valid YAML: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SchedulerError(
      'SKIFF_ERR_SCHEDULER_CONFIG',
      `${source} is not a KubeSchedulerConfiguration object`,
    );
  }
  const config = parsed as SchedulerConfiguration;
  const problems = validateSchedulerConfiguration(config);
  if (problems.length > 0) {
    throw new SchedulerError('SKIFF_ERR_SCHEDULER_CONFIG', `${source} is invalid:\n${problems.join('\n')}`);
  }
  return config;
}

export function validateSchedulerConfiguration(config: SchedulerConfiguration): string[] {
  const problems: string[] = [];
  if (config.apiVersion !== SCHEDULER_CONFIG_API_VERSION) {
    problems.push(
      `apiVersion: Unsupported value: ${JSON.stringify(config.apiVersion ?? '')}: supported values: "${SCHEDULER_CONFIG_API_VERSION}"`,
    );
  }
  if (config.kind !== SCHEDULER_CONFIG_KIND) {
    problems.push(
      `kind: Unsupported value: ${JSON.stringify(config.kind ?? '')}: supported values: "${SCHEDULER_CONFIG_KIND}"`,
    );
  }
  checkPercentage(config.percentageOfNodesToScore, 'percentageOfNodesToScore', problems);
  const initial = config.podInitialBackoffSeconds;
  const max = config.podMaxBackoffSeconds;
  if (initial !== undefined && !(Number.isInteger(initial) && initial > 0)) {
    problems.push(`podInitialBackoffSeconds: Invalid value: ${initial}: must be greater than 0`);
  }
  if (max !== undefined && !(Number.isInteger(max) && max >= (initial ?? 1))) {
    problems.push(
      `podMaxBackoffSeconds: Invalid value: ${max}: must be greater than or equal to PodInitialBackoffSeconds`,
    );
  }
  const election = config.leaderElection ?? {};
  for (const field of ['leaseDuration', 'renewDeadline', 'retryPeriod'] as const) {
    const value = election[field];
    if (value !== undefined && parseGoDuration(value) === undefined) {
      problems.push(`leaderElection.${field}: Invalid value: ${JSON.stringify(value)}: not a duration`);
    }
  }
  const names = new Set<string>();
  (config.profiles ?? []).forEach((profile, index) => {
    const path = `profiles[${index}]`;
    const name = profile.schedulerName || DEFAULT_SCHEDULER_NAME;
    if (names.has(name)) problems.push(`${path}.schedulerName: Duplicate value: ${JSON.stringify(name)}`);
    names.add(name);
    checkPercentage(profile.percentageOfNodesToScore, `${path}.percentageOfNodesToScore`, problems);
    for (const point of [...extensionPoints, 'multiPoint'] as const) {
      const set = profile.plugins?.[point];
      for (const [list, refs] of [
        ['enabled', set?.enabled],
        ['disabled', set?.disabled],
      ] as const) {
        (refs ?? []).forEach((ref, refIndex) => {
          const at = `${path}.plugins.${point}.${list}[${refIndex}]`;
          if (!ref?.name) problems.push(`${at}.name: Required value`);
          if (ref?.weight !== undefined && !(Number.isInteger(ref.weight) && ref.weight >= 0)) {
            problems.push(`${at}.weight: Invalid value: ${ref.weight}: must be a non-negative integer`);
          }
        });
      }
    }
    const configured = new Set<string>();
    (profile.pluginConfig ?? []).forEach((entry, entryIndex) => {
      const at = `${path}.pluginConfig[${entryIndex}]`;
      if (!entry?.name) problems.push(`${at}.name: Required value`);
      else if (configured.has(entry.name))
        problems.push(`${at}: Duplicate value: ${JSON.stringify(entry.name)}`);
      configured.add(entry?.name);
    });
  });
  return problems;
}

function checkPercentage(value: number | undefined, path: string, problems: string[]): void {
  if (value === undefined) return;
  if (!(Number.isInteger(value) && value >= 0 && value <= 100)) {
    problems.push(`${path}: Invalid value: ${value}: not in valid range [0-100]`);
  }
}

/** Go's time.ParseDuration for the units a configuration uses (`1h2m3.5s`, `500ms`); milliseconds. */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  if (text === '0') return 0;
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    total += Number(match[1]) * units[match[2]!]!;
    consumed = pattern.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}
