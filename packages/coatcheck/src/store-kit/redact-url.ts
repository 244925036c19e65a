/**
 * `redactUrl`: a connection URL as it may appear in an error message or a log line.
 *
 * Store start-up errors name the server they could not reach (the fix is usually in the URL),
 * but a URL often carries the password: in its authority (`redis://:pw@host`) or, for
 * libpq-style URLs, as a `password` parameter. Every store and the CLI print URLs through
 * this one rule.
 *
 * @module
 */

/**
 * `url` with its password, in the authority or a `password` parameter, replaced by `***`.
 * A string that does not parse as a URL gets the same replacements textually.
 *
 * @example
 * ```ts
 * redactUrl('redis://:s3cret@cache:6379') // 'redis://:***@cache:6379'
 * ```
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    // A user-only authority (`//user@host`) is redacted too: it may be a token used as a name.
    return url.replace(/\/\/[^@/]*@/, '//***@').replace(/password=[^&]*/g, 'password=***');
  }
}
