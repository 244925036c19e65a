import { useCallback, useEffect, useState } from 'react';

export type Tab = 'shop' | 'checkout' | 'orders' | 'account' | 'devices' | 'lobby' | 'admin' | 'bearer';
const TABS: readonly Tab[] = ['shop', 'checkout', 'orders', 'account', 'devices', 'lobby', 'admin', 'bearer'];

function read(): Tab {
  const name = window.location.hash.replace(/^#\/?/, '');
  return (TABS as readonly string[]).includes(name) ? (name as Tab) : 'shop';
}

/** The current tab, kept in the URL hash so a reload (or the back button) stays put. */
export function useHashTab(): [Tab, (tab: Tab) => void] {
  const [tab, setTab] = useState<Tab>(read);
  useEffect(() => {
    const onChange = () => setTab(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const go = useCallback((next: Tab) => {
    window.location.hash = `/${next}`;
    setTab(next);
  }, []);
  return [tab, go];
}
