/**
 * DNS-style name checks used for object names and label-key prefixes, with Kubernetes' exact messages.
 * Each returns the problems found, empty when the value is valid:
 *
 *   isDNS1123Label('my.name') → ['must not contain dots']
 */
import { byteLength, type LengthUnit, maxLengthMessage, regexMessage } from './validation-messages.js';

export const dns1123LabelMaxLength = 63;
export const dns1123SubdomainMaxLength = 253;
export const dns1035LabelMaxLength = 63;

const dns1123LabelFormat = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFormat = `${dns1123LabelFormat}(\\.${dns1123LabelFormat})*`;
const dns1035LabelFormat = '[a-z]([-a-z0-9]*[a-z0-9])?';

const dns1123Label = new RegExp(`^${dns1123LabelFormat}$`);
const dns1123Subdomain = new RegExp(`^${dns1123SubdomainFormat}$`);
const dns1035Label = new RegExp(`^${dns1035LabelFormat}$`);

/** RFC 1123 label: namespaces, services' DNS names, container names. */
export function isDNS1123Label(value: string): string[] {
  const problems: string[] = [];
  if (byteLength(value) > dns1123LabelMaxLength) {
    problems.push(maxLengthMessage(dns1123LabelMaxLength, 'characters'));
  }
  if (!dns1123Label.test(value)) {
    // A valid subdomain that is not a valid label can only be wrong by its dots.
    if (dns1123Subdomain.test(value)) problems.push('must not contain dots');
    else {
      problems.push(
        regexMessage(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          dns1123LabelFormat,
          'my-name',
          '123-abc',
        ),
      );
    }
  }
  return problems;
}

/**
 * RFC 1123 subdomain: most object names. `lengthUnit` only changes the wording of the length problem;
 * label-key prefixes are checked with 'bytes', as upstream words them.
 */
export function isDNS1123Subdomain(value: string, lengthUnit: LengthUnit = 'characters'): string[] {
  const problems: string[] = [];
  if (byteLength(value) > dns1123SubdomainMaxLength) {
    problems.push(maxLengthMessage(dns1123SubdomainMaxLength, lengthUnit));
  }
  if (!dns1123Subdomain.test(value)) {
    problems.push(
      regexMessage(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFormat,
        'example.com',
      ),
    );
  }
  return problems;
}

/** RFC 1035 label: service names, which must start with a letter. */
export function isDNS1035Label(value: string): string[] {
  const problems: string[] = [];
  if (byteLength(value) > dns1035LabelMaxLength) {
    problems.push(maxLengthMessage(dns1035LabelMaxLength, 'characters'));
  }
  if (!dns1035Label.test(value)) {
    problems.push(
      regexMessage(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035LabelFormat,
        'my-name',
        'abc-123',
      ),
    );
  }
  return problems;
}
