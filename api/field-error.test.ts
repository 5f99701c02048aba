import { describe, expect, it } from 'vitest';
import {
  aggregateFieldErrors,
  type FieldError,
  fieldError,
  fieldErrorBody,
  formatFieldError,
} from './field-error.js';

describe('field errors', () => {
  it.each<[string, FieldError, string, FieldError['type']]>([
    [
      'a required value names only the field',
      fieldError.required('spec.containers[0].image'),
      'spec.containers[0].image: Required value',
      'FieldValueRequired',
    ],
    [
      'a required value may explain itself',
      fieldError.required('metadata.name', 'name or generateName is required'),
      'metadata.name: Required value: name or generateName is required',
      'FieldValueRequired',
    ],
    [
      'an invalid string is quoted',
      fieldError.invalid('metadata.name', 'Web_1', 'must be lowercase'),
      'metadata.name: Invalid value: "Web_1": must be lowercase',
      'FieldValueInvalid',
    ],
    [
      'an invalid number is printed bare',
      fieldError.invalid('spec.replicas', -1, 'must be greater than or equal to 0'),
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'FieldValueInvalid',
    ],
    [
      'an invalid boolean is printed bare',
      fieldError.invalid('spec.paused', true, 'no'),
      'spec.paused: Invalid value: true: no',
      'FieldValueInvalid',
    ],
    [
      'an invalid list is printed as JSON',
      fieldError.invalid('values', ['a', 'b'], 'too many'),
      'values: Invalid value: ["a","b"]: too many',
      'FieldValueInvalid',
    ],
    [
      'a missing value is printed as null',
      fieldError.invalid('values', null, 'empty'),
      'values: Invalid value: null: empty',
      'FieldValueInvalid',
    ],
    [
      'JSON values escape HTML characters as Go does',
      fieldError.invalid('spec', { a: '<&>' }, 'bad'),
      'spec: Invalid value: {"a":"\\u003c\\u0026\\u003e"}: bad',
      'FieldValueInvalid',
    ],
    [
      'an unsupported value lists the supported ones, quoted',
      fieldError.notSupported('spec.restartPolicy', 'Sometimes', ['Always', 'OnFailure', 'Never']),
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'FieldValueNotSupported',
    ],
    [
      'an unsupported value with no list says only that',
      fieldError.notSupported('spec.x', 'y', []),
      'spec.x: Unsupported value: "y"',
      'FieldValueNotSupported',
    ],
    [
      'a duplicate shows the value',
      fieldError.duplicate('spec.containers[1].name', 'app'),
      'spec.containers[1].name: Duplicate value: "app"',
      'FieldValueDuplicate',
    ],
    [
      'not found shows the value',
      fieldError.notFound('spec.volumes[0]', 'data'),
      'spec.volumes[0]: Not found: "data"',
      'FieldValueNotFound',
    ],
    [
      'forbidden shows the reason, not the value',
      fieldError.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`'),
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`',
      'FieldValueForbidden',
    ],
    [
      'too long never shows the value',
      fieldError.tooLong('metadata.annotations', 262144),
      'metadata.annotations: Too long: may not be more than 262144 bytes',
      'FieldValueTooLong',
    ],
    [
      'too long says "byte" for a limit of one',
      fieldError.tooLong('x', 1),
      'x: Too long: may not be more than 1 byte',
      'FieldValueTooLong',
    ],
    [
      'too long with no limit says so',
      fieldError.tooLong('x', -1),
      'x: Too long: value is too long',
      'FieldValueTooLong',
    ],
    [
      'too many shows the count and the limit',
      fieldError.tooMany('spec.containers', 5, 3),
      'spec.containers: Too many: 5: must have at most 3 items',
      'FieldValueTooMany',
    ],
    [
      'too many without a count leaves it out',
      fieldError.tooMany('spec.containers', -1, 1),
      'spec.containers: Too many: must have at most 1 item',
      'FieldValueTooMany',
    ],
    [
      'a type mismatch reads as an invalid value',
      fieldError.typeInvalid(
        'spec.replicas',
        'three',
        'spec.replicas in body must be of type integer: "string"',
      ),
      'spec.replicas: Invalid value: "three": spec.replicas in body must be of type integer: "string"',
      'FieldValueTypeInvalid',
    ],
    [
      'an internal error shows the error text',
      fieldError.internal('spec', new Error('boom')),
      'spec: Internal error: boom',
      'InternalError',
    ],
  ])('%s', (_behaviour, error, message, type) => {
    expect(formatFieldError(error)).toBe(message);
    expect(fieldErrorBody(error)).toBe(message.slice(error.field.length + 2));
    expect(error.type).toBe(type);
  });

  describe('aggregated', () => {
    const image = fieldError.required('spec.containers[0].image');
    const name = fieldError.invalid('metadata.name', 'A', 'must be lowercase');

    it('no errors aggregate to nothing', () => {
      expect(aggregateFieldErrors([])).toBeUndefined();
    });

    it('one error is its own message', () => {
      expect(aggregateFieldErrors([image])).toBe('spec.containers[0].image: Required value');
    });

    it('several errors are listed in brackets, in order', () => {
      expect(aggregateFieldErrors([image, name])).toBe(
        '[spec.containers[0].image: Required value, metadata.name: Invalid value: "A": must be lowercase]',
      );
    });

    it('a repeated message is shown once, and alone it loses the brackets', () => {
      expect(aggregateFieldErrors([image, image])).toBe('spec.containers[0].image: Required value');
      expect(aggregateFieldErrors([image, name, image])).toBe(
        '[spec.containers[0].image: Required value, metadata.name: Invalid value: "A": must be lowercase]',
      );
    });
  });
});
