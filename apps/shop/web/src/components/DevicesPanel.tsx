import { Fragment, useCallback, useEffect, useState } from 'react';
import { api, messageOf, when, type Device, type Eviction } from '../api';
import { DeviceHistory } from './DeviceHistory';

/** "at 10:32" today, "on 3 Dec 2026, 10:32" before. */
function atTime(ms: number): string {
  const time = new Date(ms);
  if (time.toDateString() !== new Date().toDateString()) return `on ${when(ms)}`;
  return `at ${time.toLocaleTimeString('en-GB', { timeStyle: 'short' })}`;
}

/** "Signed out Firefox on Linux at 10:32 — too many devices (a sign-in from Chrome on macOS, 203.0.113.7)". */
function describeEviction({ at, label, signIn }: Eviction): string {
  const from = signIn.ip ? `${signIn.label}, ${signIn.ip}` : signIn.label;
  return `Signed out ${label} ${atTime(at)} — too many devices (a sign-in from ${from})`;
}

/**
 * My devices: every session of my account, with "log out" per device and for all others.
 * `version` changes when the server says the list changed (a login or a revocation
 * elsewhere); `onLeaving` is called before this device logs itself out. Under the table, the
 * devices the cap on devices signed out lately, and which sign-in made room.
 */
export function DevicesPanel({ version, onLeaving, onLoggedOut }: { version: number; onLeaving: () => void; onLoggedOut: () => void }) {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [evictions, setEvictions] = useState<Eviction[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  // The device whose history is open (one at a time keeps the table compact).
  const [open, setOpen] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const { sessions, evictions } = await api.devices();
      setDevices(sessions);
      setEvictions(evictions);
    } catch (error) {
      setMessage(messageOf(error));
    }
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the parent's signal to reload the list
  useEffect(() => void load(), [load, version]);

  const revoke = async (device: Device) => {
    if (device.current) onLeaving();
    try {
      await api.revokeDevice(device.id);
      if (device.current) return onLoggedOut();
      // The list first, then the message: whoever reads the message sees the list it describes.
      await load();
      setMessage(`Logged out ${device.label}.`);
    } catch (error) {
      setMessage(messageOf(error));
    }
  };
  const revokeOthers = async () => {
    try {
      const { revoked } = await api.revokeOthers();
      await load();
      setMessage(`Logged out ${revoked} other device${revoked === 1 ? '' : 's'}.`);
    } catch (error) {
      setMessage(messageOf(error));
    }
  };

  return (
    <section className="card" aria-labelledby="devices-title">
      <div className="row">
        <h2 id="devices-title">Devices</h2>
        <button type="button" className="secondary" onClick={load}>
          Refresh
        </button>
      </div>
      {message && <p role="status">{message}</p>}
      {devices === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table className="devices">
          <thead>
            <tr>
              <th>Device</th>
              <th>Signed in</th>
              <th>Last active</th>
              <th>Kind</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {devices.map((device) => (
              <Fragment key={device.id}>
                <tr data-testid="device-row" data-current={device.current ? 'true' : 'false'}>
                  <td>
                    {device.label}
                    {device.current && <span className="tag">this device</span>}
                  </td>
                  <td>{when(device.createdAt)}</td>
                  <td>{when(device.lastSeenAt)}</td>
                  <td>{device.persistent ? 'remembered' : 'browser session'}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      aria-expanded={open === device.id}
                      onClick={() => setOpen(open === device.id ? null : device.id)}
                    >
                      History
                    </button>{' '}
                    <button type="button" className="secondary" onClick={() => revoke(device)}>
                      {device.current ? 'Log out' : 'Log out device'}
                    </button>
                  </td>
                </tr>
                {open === device.id && (
                  <tr>
                    <td colSpan={5}>
                      <DeviceHistory id={device.id} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {evictions.length > 0 && (
        <ul className="evictions" data-testid="evictions" aria-label="Devices signed out to make room">
          {evictions.map((eviction) => (
            <li key={eviction.id}>{describeEviction(eviction)}</li>
          ))}
        </ul>
      )}
      {devices && devices.length > 1 && (
        <button type="button" onClick={revokeOthers}>
          Log out all other devices
        </button>
      )}
    </section>
  );
}
