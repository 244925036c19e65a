import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { noLive } from './live';
import './styles.css';

// Swap `noLive` for a WebSocket module to get revocations and cart changes pushed live.
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App live={noLive} />
  </StrictMode>,
);
