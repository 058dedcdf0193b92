/**
 * Renderer entry: connects to the engine (IPC in Electron, WebSocket in the browser) and mounts
 * the app shell.
 */
import './lib/zod-setup.js';
import { mount } from 'svelte';
import App from './App.svelte';
import { createApiClient } from './lib/api.js';
import { AppState } from './lib/app-state.svelte.js';
import './styles.css';

const app = new AppState(createApiClient());
mount(App, { target: document.getElementById('app')!, props: { app } });
void app.load();
