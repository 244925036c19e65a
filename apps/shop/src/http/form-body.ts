/**
 * HTML form bodies (`application/x-www-form-urlencoded` and `multipart/form-data`) on every
 * route that takes a body, validated exactly like JSON.
 *
 * A form field is always a string, so the parsed form is coerced here, once, by the route's
 * own body schema: `"2"` becomes `2` for an integer field, `"on"` becomes `true` for a
 * boolean one. Only strings that spell a value of the field's type are converted; anything
 * else stays a string, and the unchanged Ajv validation (no coercion) answers the same
 * FastAPI-shaped 422 a JSON client gets. JSON bodies are never coerced.
 *
 * Both parsers use Node's own `URLSearchParams` and `Response.formData()`: no dependency.
 *
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

/** A parsed form: one string per field, or an array when a field is repeated. */
export type FormBody = Record<string, string | string[]>;

// The schema parts read here; route schemas are plain JSON schema objects.
interface FieldSchema {
  type?: string | readonly string[];
}
interface BodySchema {
  properties?: Record<string, FieldSchema>;
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
// What an HTML checkbox sends ("on"), and the usual spellings of a boolean.
const BOOLEANS: Readonly<Record<string, boolean>> = { true: true, on: true, '1': true, false: false, off: false, '0': false };

/** The value a form string stands for under `types`, or the string itself when none fits. */
function coerceField(value: string, types: readonly string[]): unknown {
  for (const type of types) {
    if (type === 'integer' && INTEGER.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
    if (type === 'number' && NUMBER.test(value) && Number.isFinite(Number(value))) return Number(value);
    if (type === 'boolean' && Object.hasOwn(BOOLEANS, value.toLowerCase())) return BOOLEANS[value.toLowerCase()];
    if (type === 'string') return value;
  }
  return value;
}

/**
 * Coerces a parsed form by a body schema: each field the schema types as integer, number or
 * boolean is converted when its string spells such a value. Repeated fields stay arrays (a
 * type error for any scalar field), unknown fields stay as they are (Ajv drops them).
 */
export function coerceForm(form: FormBody, schema: unknown): Record<string, unknown> {
  const properties = (schema as BodySchema | undefined)?.properties;
  if (!properties) return form;
  const out: Record<string, unknown> = { ...form };
  for (const [name, value] of Object.entries(form)) {
    const type = Object.hasOwn(properties, name) ? properties[name]?.type : undefined;
    if (typeof value !== 'string' || type === undefined) continue;
    out[name] = coerceField(value, typeof type === 'string' ? [type] : type);
  }
  return out;
}

/** Collects form entries; a repeated name becomes an array. `Object.fromEntries`-style own keys: no prototype is touched. */
function collect(entries: Iterable<[string, unknown]>): FormBody {
  const fields = new Map<string, string | string[]>();
  for (const [name, value] of entries) {
    if (typeof value !== 'string') throw new HttpError(400, 'ERR_BAD_FORM', 'This API takes no file uploads.');
    const seen = fields.get(name);
    fields.set(name, seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]);
  }
  return Object.fromEntries(fields);
}

function bodySchemaOf(request: FastifyRequest): unknown {
  return (request.routeOptions.schema as { body?: unknown } | undefined)?.body;
}

/**
 * Registers both form parsers on `app` (its child scopes inherit them). The CSRF check of
 * `@coatcheck/fastify` reads the parsed form's `_csrf` field in `preValidation`, so a form
 * post from a page carries its token in the form itself.
 */
export function installFormParsers(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, text, done) => {
    done(null, coerceForm(collect(new URLSearchParams(text as string)), bodySchemaOf(request)));
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, buffer, done) => {
    // undici's multipart parser, behind the Fetch API Node ships; the body is already capped by bodyLimit.
    const contentType = request.headers['content-type'] as string;
    new Response(buffer as Buffer, { headers: { 'content-type': contentType } })
      .formData()
      .then((form) => coerceForm(collect(form.entries()), bodySchemaOf(request)))
      .then(
        (body) => done(null, body),
        (error: unknown) => done(error instanceof HttpError ? error : new HttpError(400, 'ERR_BAD_FORM', 'The multipart form could not be read.')),
      );
  });
}
