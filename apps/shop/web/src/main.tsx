import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { socketLive } from './live-socket';
import './styles.css';

// Revocations, cart and device changes arrive over /ws (live-socket.ts).
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App live={socketLive} />
  </StrictMode>,
);
