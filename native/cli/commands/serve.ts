/**
 * `steerlab serve`: the workbench in a browser (or for a remote GPU box), on loopback with a token.
 */
import { Command } from 'commander';
import { serveCommand as serve } from '../../server/command.js';
import { withEngineFlags, type EngineFlags } from '../common.js';
import { intFlag } from '../flags.js';

export function serveCommand(): Command {
  return withEngineFlags(
    new Command('serve')
      .description('serve the workbench UI and API on 127.0.0.1 with a random token (printed like Jupyter\'s)')
      .option('--port <port>', 'port to listen on (default 8765, or any free port when taken)')
      .option('--host <host>', 'address to bind (default 127.0.0.1; anything else is reachable from the network)', '127.0.0.1')
      .option('--open', 'open the page in the default browser')
      .option('--sessions <dir>', 'folder for session files opened and saved from the page (default: "sessions" in the user\'s data folder, e.g. ~/.local/share/steerlab/sessions)')
      .option('--new-token', 'replace the token kept for this sessions folder (pages opened before must use the new address)'),
  ).action(async (flags: EngineFlags & { port?: string; host: string; open?: boolean; sessions?: string; newToken?: boolean }) => {
    await serve({
      port: flags.port === undefined ? undefined : intFlag('--port', flags.port, 8765, 0, 65535),
      host: flags.host,
      open: flags.open,
      dataDir: flags.data,
      backend: flags.backend,
      sessionsDir: flags.sessions,
      newToken: flags.newToken,
    });
  });
}
