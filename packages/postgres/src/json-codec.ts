/**
 * Session data as `jsonb`-safe JSON text, and back. Internal.
 *
 * `jsonb` refuses two things JSON (and the memory store) accept: the escape `\u0000` (text
 * cannot hold NUL) and lone surrogates such as `\ud800`. Rejecting them would turn an odd
 * string in a cart into a 503, so they are rewritten to markers led by U+E000, a private-use
 * character; U+E000 itself is doubled the same way. Data without any of the three (all real
 * data) is stored unchanged and stays queryable with the usual `data->>'key'` operators.
 *
 * | in the data      | stored as         |
 * |------------------|-------------------|
 * | U+0000           | U+E000 `0`        |
 * | lone `\udXXX`    | U+E000 `s` `dXXX` |
 * | U+E000           | U+E000 `E`        |
 *
 * @module
 */

const ESC = '\uE000';

// Over JSON.stringify output, where NUL and lone surrogates appear as lowercase escapes. An
// escaped backslash is matched as a unit so `\\u0000` (a backslash, then "u0000") is skipped.
const ENCODE = /\uE000|\\(\\|u0000|ud[89a-f][0-9a-f]{2})/g;
const DECODE = /\uE000(E|0|sd[89a-f][0-9a-f]{2})/g;

/** `JSON.stringify(value)`, with what `jsonb` cannot hold rewritten to markers. */
export function encodeJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.replace(ENCODE, (match: string, escaped: string | undefined) => {
    if (escaped === undefined) return `${ESC}E`;
    if (escaped === '\\') return match;
    if (escaped === 'u0000') return `${ESC}0`;
    return `${ESC}s${escaped.slice(1)}`;
  });
}

/** Parses JSON text read from `jsonb`, restoring the markers; throws `SyntaxError`. */
export function decodeJson(text: string): unknown {
  if (!text.includes(ESC)) return JSON.parse(text);
  return JSON.parse(
    text.replace(DECODE, (_match: string, code: string) => {
      if (code === 'E') return ESC;
      if (code === '0') return '\\u0000';
      return `\\u${code.slice(1)}`;
    }),
  );
}
