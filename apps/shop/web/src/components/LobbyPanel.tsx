import { useState, type FormEvent } from 'react';
import type { ChatLine } from '../live';

/** The room every logged-in page joins. */
export const LOBBY = 'lobby';
/** The server refuses longer lines. */
const MAX_TEXT = 500;

// Chat lines carry no id, and the list drops its oldest ones, so an index would move keys onto
// other lines: each line object gets a number the first time it is shown instead.
const keys = new WeakMap<ChatLine, number>();
let nextKey = 0;

function keyOf(line: ChatLine): number {
  let key = keys.get(line);
  if (key === undefined) {
    key = nextKey++;
    keys.set(line, key);
  }
  return key;
}

/**
 * The lobby: a room broadcast (seed 003's groups). Lines said here reach every logged-in page
 * in the room, on every instance; who said it comes from the server, not from the line.
 */
export function LobbyPanel({ lines, me, onSay }: { lines: ChatLine[]; me: string; onSay: (text: string) => boolean }) {
  const [draft, setDraft] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    if (!onSay(text)) return setMessage('Not connected right now; it reconnects by itself, try again in a moment.');
    setMessage(null);
    setDraft('');
  };
  return (
    <section className="card" aria-labelledby="lobby-title">
      <h2 id="lobby-title">Lobby</h2>
      <p className="muted small">Everyone logged in is here. Messages are not stored: you see what is said while this page is open.</p>
      <ul className="chat" data-testid="chat-lines" aria-live="polite">
        {lines.map((line) => (
          <li key={keyOf(line)} data-mine={line.from === me ? 'true' : 'false'}>
            <strong>{line.name ?? 'someone'}</strong>: {line.text}
          </li>
        ))}
      </ul>
      <form className="row chat-form" onSubmit={submit}>
        <input aria-label="Message" value={draft} maxLength={MAX_TEXT} onChange={(e) => setDraft(e.target.value)} placeholder="Say something" />
        <button type="submit">Send</button>
      </form>
      {message && <p role="status">{message}</p>}
    </section>
  );
}
