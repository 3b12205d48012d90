/**
 * Mutes made in Slack as the YAML that `check --ignore FILE` reads (cli/ignore-file.ts), so CI hides what the
 * channel accepted. Only the fields the mutes file knows are written; who made a mute and when go into comments.
 */
import { stringify } from 'yaml';
import { engineMute, type StoredMute } from './mute-store';

export function mutesToYaml(cluster: string, mutes: readonly StoredMute[], now: Date): string {
  const header = [
    `# Mutes of cluster ${cluster}, exported by metallb-chatops at ${now.toISOString()}.`,
    '# Use with: metallb-chatops check --ignore THIS_FILE',
  ];
  if (mutes.length === 0) return `${header.join('\n')}\n[]\n`;
  const items = mutes.map((mute) => {
    const comment = `# ${mute.id}: muted by ${mute.createdBy} at ${mute.createdAt}`;
    const body = stringify([engineMute(mute)], { lineWidth: 0 }).trimEnd();
    return `${comment}\n${body}`;
  });
  return `${header.join('\n')}\n${items.join('\n')}\n`;
}
