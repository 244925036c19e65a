/**
 * The error a data schema's refusal becomes, and the one-line summary of its issues.
 * Re-exported by `coatcheck/errors`.
 *
 * @module
 */
import { SessionError } from '../error-base.js';

/** One problem a data schema found: its message, and where in the value (empty: the value itself). */
export interface DataIssue {
  /** The schema's message for the problem. */
  readonly message: string;
  /** Where in the value: property names and array indexes from the top (empty: the value itself). */
  readonly path: readonly PropertyKey[];
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const MAX_LISTED = 3;

/** `[0].qty`, `cart[0]`, `["a b"]`: a path as code would write it. */
function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number' || (typeof segment === 'string' && /^\d+$/.test(segment))) text += `[${String(segment)}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${typeof segment === 'string' ? JSON.stringify(segment) : String(segment)}]`;
  }
  return text;
}

/** The issues in one line: `[0].qty: Expected number; and 2 more`. */
function formatIssues(issues: readonly DataIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED).map((issue) => (issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`));
  const more = issues.length - listed.length;
  return `${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/**
 * A value written to the session does not pass the manager's `data.schema` (or its key has
 * no schema): the application's bug, so adapters answer 500 with a generic message. Thrown
 * by `set`/`update` at the line that wrote it when the validator answers synchronously,
 * otherwise by the write (commit, login, regenerate) before anything reaches the store.
 * Nothing is written. `key` names the key (for a whole-data schema, the first key its issues
 * point at, or `null`); `issues` are the schema's, with their paths. See docs/typed-data.md.
 */
export class SessionDataInvalidError extends SessionError {
  /** The key whose value was refused, or `null` when a whole-data schema refused the data itself. */
  readonly key: string | null;
  /** What the schema found (message and path, as the Standard Schema reports them). */
  readonly issues: readonly DataIssue[];

  /** `key`: the key of a per-key schema, or `null` for the whole-data schema. */
  constructor(key: string | null, issues: readonly DataIssue[]) {
    const subject = key === null ? 'session data is invalid' : `session data ${JSON.stringify(key)} is invalid`;
    super('ERR_SESSION_DATA_INVALID', `${subject}: ${formatIssues(issues)}`);
    const first = issues[0]?.path[0];
    this.key = key ?? (typeof first === 'string' ? first : null);
    this.issues = issues;
  }
}
