import { useCallback, useEffect, useRef, useState } from 'react';
import { api, messageOf, setUnauthenticatedHandler, type Account, type CartLine, type Item } from './api';
import type { ChatLine, EndedBy, LiveConnection, LiveModule } from './live';
import { useHashTab, type Tab } from './use-hash-tab';
import { AccountPanel } from './components/AccountPanel';
import { AdminPanel } from './components/AdminPanel';
import { BearerPanel } from './components/BearerPanel';
import { CartPanel } from './components/CartPanel';
import { Catalog } from './components/Catalog';
import { CheckoutPanel } from './components/CheckoutPanel';
import { DevicesPanel } from './components/DevicesPanel';
import { LOBBY, LobbyPanel } from './components/LobbyPanel';
import { LoginPanel } from './components/LoginPanel';
import { OrdersPanel } from './components/OrdersPanel';

/** Lines of the lobby kept on the page. */
const MAX_CHAT_LINES = 50;

/** Shown when this browser's session ends without its user logging out here. */
const SIGNED_OUT = 'You were signed out on this device: the session was ended from another device, or it expired.';
/** Shown when a sign-in elsewhere took this device's place under the shop's cap on devices. */
const TOO_MANY_DEVICES = 'You were signed out: your account signed in on too many devices.';

/** The shop page: everything the session layer does, in one screen per tab. */
export function App({ live }: { live: LiveModule }) {
  const [account, setAccount] = useState<Account | null>(null);
  const [items, setItems] = useState<Item[]>([]);
  const [cart, setCart] = useState<CartLine[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  // Bumped by a live "devices changed" push; the device list reloads when it changes.
  const [devicesVersion, setDevicesVersion] = useState(0);
  // Set while this page logs itself out: the server then closes the socket as for any
  // revocation, and that must not read as "signed out elsewhere".
  const leaving = useRef(false);
  const [connection, setConnection] = useState<LiveConnection | null>(null);
  const [chat, setChat] = useState<ChatLine[]>([]);
  const [tab, setTab] = useHashTab();
  const user = account?.user ?? null;

  const refreshAccount = useCallback(async () => {
    try {
      setAccount(await api.account());
    } catch (error) {
      setNotice(messageOf(error));
    }
  }, []);
  const refreshCart = useCallback(async () => {
    try {
      setCart((await api.cart()).cart);
    } catch (error) {
      setNotice(messageOf(error));
    }
  }, []);

  useEffect(() => {
    void refreshAccount();
    void refreshCart();
    api.items().then(
      ({ items }) => setItems(items),
      (error) => setNotice(messageOf(error)),
    );
  }, [refreshAccount, refreshCart]);

  // The session is gone (logged out elsewhere, revoked, expired, or signed out to make room
  // for a sign-in elsewhere): show it at once. The live channel says which; a 401 cannot.
  const signedOut = useCallback(
    (why: EndedBy = 'other') => {
      setAccount((current) => {
        if (!leaving.current && why === 'too-many-devices') setNotice(TOO_MANY_DEVICES);
        else if (current?.user && !leaving.current) setNotice(SIGNED_OUT);
        return { user: null };
      });
      void refreshCart();
    },
    [refreshCart],
  );
  // Any 401 means the same; without the live channel this is how the page finds out.
  useEffect(() => setUnauthenticatedHandler(signedOut), [signedOut]);

  // Coming back to the tab is a good moment to check the session is still alive.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refreshAccount();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [refreshAccount]);

  // One socket per logged-in user: keyed on the id, not on the (re-fetched) account object.
  const userId = user?.id ?? null;
  useEffect(() => {
    if (userId === null) return;
    const opened = live.connect({
      sessionEnded: signedOut,
      cartChanged: () => void refreshCart(),
      devicesChanged: () => setDevicesVersion((version) => version + 1),
      connectionLost: () => void refreshAccount(),
      chat: (line) => setChat((lines) => [...lines, line].slice(-MAX_CHAT_LINES)),
    });
    opened.join(LOBBY);
    setConnection(opened);
    return () => {
      opened.close();
      setConnection(null);
      setChat([]);
    };
  }, [live, userId, signedOut, refreshAccount, refreshCart]);

  const onLoggedIn = async () => {
    leaving.current = false;
    setNotice(null);
    await Promise.all([refreshAccount(), refreshCart()]);
    setTab('shop');
  };
  const logout = async () => {
    leaving.current = true;
    try {
      await api.logout();
    } finally {
      setNotice(null);
      setAccount({ user: null });
      await refreshCart();
      setTab('shop');
    }
  };

  const tabs: Array<[Tab, string, boolean]> = [
    ['shop', 'Shop', true],
    ['checkout', `Checkout${cart.length ? ` (${cart.reduce((n, line) => n + line.quantity, 0)})` : ''}`, true],
    ['orders', 'Orders', Boolean(user)],
    ['account', user ? 'Account' : 'Log in', true],
    ['devices', 'Devices', Boolean(user)],
    ['lobby', 'Lobby', Boolean(user)],
    ['admin', 'Admin', account?.role === 'admin' || Boolean(account?.viewAs)],
    ['bearer', 'Bearer (SPA)', true],
  ];

  return (
    <div className="page">
      <header className="top">
        <h1>
          <a href="#/shop">coatcheck shop</a>
        </h1>
        <nav aria-label="Sections">
          {tabs
            .filter(([, , shown]) => shown)
            .map(([id, label]) => (
              <a key={id} href={`#/${id}`} aria-current={tab === id ? 'page' : undefined}>
                {label}
              </a>
            ))}
        </nav>
        <div className="who" data-testid="who">
          {account === null ? (
            '…'
          ) : user ? (
            <>
              Signed in as <strong>{user.username}</strong>
              {account.role === 'admin' ? ' (admin)' : ''}{' '}
              <button type="button" className="link" onClick={logout}>
                Log out
              </button>
            </>
          ) : (
            'Browsing anonymously'
          )}
        </div>
      </header>

      {account?.viewAs && (
        <div className="banner" role="status">
          Viewing the shop as <strong>{account.user?.username}</strong> (you are {account.viewAs.actor.username}).{' '}
          <button type="button" onClick={() => api.leaveViewAs().then(refreshAccount, (e) => setNotice(messageOf(e)))}>
            Leave view-as
          </button>
        </div>
      )}
      {notice && (
        <div className="notice" role="alert">
          {notice}{' '}
          <button type="button" className="link" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      )}

      <main>
        {tab === 'shop' && (
          <div className="columns">
            <Catalog items={items} onAdd={async (id) => setCart((await api.addToCart(id)).cart)} onError={setNotice} />
            <CartPanel items={items} cart={cart} loggedIn={Boolean(user)} />
          </div>
        )}
        {tab === 'checkout' &&
          (user ? (
            <CheckoutPanel onCartChanged={refreshCart} />
          ) : (
            <div className="columns">
              <CartPanel items={items} cart={cart} loggedIn={false} />
              <LoginPanel onLoggedIn={onLoggedIn} />
            </div>
          ))}
        {tab === 'orders' && user && <OrdersPanel key={user.id} />}
        {tab === 'account' && (user && account ? <AccountPanel account={account} onChanged={refreshAccount} /> : <LoginPanel onLoggedIn={onLoggedIn} />)}
        {tab === 'devices' && user && (
          <DevicesPanel
            version={devicesVersion}
            onLeaving={() => {
              leaving.current = true;
            }}
            onLoggedOut={() => setAccount({ user: null })}
          />
        )}
        {tab === 'admin' && account && <AdminPanel account={account} onChanged={refreshAccount} />}
        {tab === 'lobby' && user && <LobbyPanel lines={chat} me={user.id} onSay={(text) => connection?.say(LOBBY, text) ?? false} />}
        {tab === 'bearer' && <BearerPanel items={items} />}
        {(tab === 'orders' || tab === 'devices' || tab === 'lobby') && !user && account && <LoginPanel onLoggedIn={onLoggedIn} />}
      </main>

      <footer>
        Sessions by coatcheck · <a href="/docs">API docs</a> · <a href="/health">health</a> · <a href="/metrics">metrics</a>
      </footer>
    </div>
  );
}
