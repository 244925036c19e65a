/**
 * Reads one cookie out of a `Cookie` header without parsing the others.
 *
 * @module
 */

/** What a `Cookie` header holds for one name. */
export interface CookieLookup {
  /** The value, or `null` when the name is absent. */
  readonly value: string | null;
  /**
   * `true` when the name appears more than once. Browsers do not promise an order, so an
   * attacker who can plant a cookie on a sibling domain could shadow the real one; the
   * caller must treat this as "no session". (BI-05, CVE-2023-29019)
   */
  readonly duplicate: boolean;
}

const NONE: CookieLookup = Object.freeze({ value: null, duplicate: false });

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Finds `name` in a `Cookie` header (or several, already joined with `; ` by Node).
 * Names match exactly and case-sensitively, so `__host-sid` never passes for `__Host-sid`.
 * Linear in the header length. (BI-04, BI-06, BI-07)
 */
export function readCookie(header: string | readonly string[] | null | undefined, name: string): CookieLookup {
  if (header == null) return NONE;
  const text = typeof header === 'string' ? header : header.join('; ');
  const needle = `${name}=`;
  let value: string | null = null;
  let count = 0;
  let from = 0;
  for (;;) {
    const at = text.indexOf(needle, from);
    if (at === -1) break;
    from = at + needle.length;
    // The match must start a pair: at the beginning, or after `;` and optional whitespace.
    let before = at - 1;
    while (before >= 0 && isSpace(text.charCodeAt(before))) before--;
    if (before >= 0 && text.charCodeAt(before) !== 0x3b) continue;
    let end = text.indexOf(';', from);
    if (end === -1) end = text.length;
    let start = from;
    while (start < end && isSpace(text.charCodeAt(start))) start++;
    let stop = end;
    while (stop > start && isSpace(text.charCodeAt(stop - 1))) stop--;
    count++;
    value = text.slice(start, stop);
    from = end;
  }
  if (count === 0) return NONE;
  return count === 1 ? { value, duplicate: false } : { value: null, duplicate: true };
}
