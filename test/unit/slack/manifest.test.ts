/** The two app manifests (Socket Mode and HTTP) agree, and both turn interactivity on for the fix buttons. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Manifest {
  features: { slash_commands: { command: string; url?: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url?: string }; socket_mode_enabled: boolean };
}

const read = (name: string): Manifest =>
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', name), 'utf8')) as Manifest;

describe('slack manifests', () => {
  const socket = read('slack-manifest.json');
  const http = read('slack-manifest.http.json');

  it('turn interactivity on in both modes', () => {
    expect(socket.settings.interactivity.is_enabled).toBe(true);
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(http.settings.interactivity.is_enabled).toBe(true);
    expect(http.settings.socket_mode_enabled).toBe(false);
  });

  it('send commands and interactions to the same /slack/events in HTTP mode', () => {
    expect(http.settings.interactivity.request_url).toMatch(/^https:\/\/.+\/slack\/events$/);
    expect(http.features.slash_commands[0]?.url).toBe(http.settings.interactivity.request_url);
  });

  it('ask for files:read, which the /metallb change dialog needs to read a file shared in the channel', () => {
    expect(socket.oauth_config.scopes.bot).toContain('files:read');
    expect(http.oauth_config.scopes.bot).toContain('files:read');
  });

  it('ask for the same scopes and command', () => {
    expect(http.oauth_config).toEqual(socket.oauth_config);
    expect(http.features.slash_commands[0]?.command).toBe(socket.features.slash_commands[0]?.command);
  });
});
