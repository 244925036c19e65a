/**
 * Turns ajv validation errors into FastAPI-style 422 details, so clients written against the
 * original FastAPI service keep working:
 * `{ detail: [{ loc: ['body', 'username'], msg: 'field required', type: 'value_error.missing' }] }`.
 *
 * @module
 */

/** One entry of a 422 response. */
export interface ValidationDetail {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

/** The subset of an ajv `ErrorObject` that is read here. */
export interface AjvErrorLike {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

/**
 * The pattern of a string that stands for a positive integer (`"42"`), for fields typed
 * `['integer', 'string']`. A string that fails it is reported as pydantic reports a bad
 * `int`: `type_error.integer`, not as a regex mismatch.
 */
export const INTEGER_STRING = '^[1-9][0-9]*$';

// pydantic v1 names for JSON-schema types.
const TYPE_NAMES: Readonly<Record<string, [type: string, msg: string]>> = {
  string: ['type_error.str', 'str type expected'],
  integer: ['type_error.integer', 'value is not a valid integer'],
  number: ['type_error.float', 'value is not a valid float'],
  boolean: ['type_error.bool', 'value could not be parsed to a boolean'],
  object: ['type_error.dict', 'value is not a valid dict'],
  array: ['type_error.list', 'value is not a valid list'],
};

// "/items/0/name" -> ['items', 0, 'name'] (JSON Pointer, RFC 6901 escapes undone).
function pointerToLoc(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part));
}

function describe(error: AjvErrorLike): Pick<ValidationDetail, 'msg' | 'type'> {
  const { params } = error;
  switch (error.keyword) {
    case 'required':
      return { msg: 'field required', type: 'value_error.missing' };
    case 'type': {
      // A union such as ['integer', 'string'] is named by its first type: the one meant.
      const [type, msg] = TYPE_NAMES[String(params.type).split(',')[0] as string] ?? ['type_error', `value is not a valid ${String(params.type)}`];
      return { msg, type };
    }
    case 'minLength':
      return { msg: `ensure this value has at least ${String(params.limit)} characters`, type: 'value_error.any_str.min_length' };
    case 'maxLength':
      return { msg: `ensure this value has at most ${String(params.limit)} characters`, type: 'value_error.any_str.max_length' };
    case 'pattern':
      if (params.pattern === INTEGER_STRING) return { msg: TYPE_NAMES.integer![1], type: TYPE_NAMES.integer![0] };
      return { msg: `string does not match regex "${String(params.pattern)}"`, type: 'value_error.str.regex' };
    case 'minimum':
      return { msg: `ensure this value is greater than or equal to ${String(params.limit)}`, type: 'value_error.number.not_ge' };
    case 'maximum':
      return { msg: `ensure this value is less than or equal to ${String(params.limit)}`, type: 'value_error.number.not_le' };
    case 'additionalProperties':
      return { msg: 'extra fields not permitted', type: 'value_error.extra' };
    default:
      return { msg: error.message ?? 'invalid value', type: `value_error.${error.keyword}` };
  }
}

/**
 * Maps ajv errors of one request part (`body`, `params`, `querystring`, `headers`) to 422
 * details. `missing` marks a request whose part was absent altogether (e.g. a POST without a
 * body): FastAPI reports that as a missing field rather than a type error.
 */
export function toValidationDetails(errors: readonly AjvErrorLike[], part: string, missing = false): ValidationDetail[] {
  const location = part === 'querystring' ? 'query' : part === 'headers' ? 'header' : part === 'params' ? 'path' : part;
  return errors.map((error) => {
    const loc: Array<string | number> = [location, ...pointerToLoc(error.instancePath)];
    const extra =
      error.keyword === 'required' ? error.params.missingProperty : error.keyword === 'additionalProperties' ? error.params.additionalProperty : undefined;
    if (typeof extra === 'string') loc.push(extra);
    if (missing && error.instancePath === '' && error.keyword === 'type') {
      return { loc, msg: 'field required', type: 'value_error.missing' };
    }
    return { loc, ...describe(error) };
  });
}
