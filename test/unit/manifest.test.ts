/** The app manifest a team pastes into Slack asks for exactly what the code uses. */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SLACK_SCOPES } from '../../src/slack/scopes';

const manifest = readFileSync(new URL('../../slack-app-manifest.yaml', import.meta.url), 'utf8');

function listUnder(key: string): string[] {
  const lines = manifest.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${key}:`);
  const indent = lines[start].search(/\S/);
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.trim()) continue;
    if (l.search(/\S/) <= indent) break;
    const m = /^\s*-\s+(\S+)/.exec(l);
    if (m) out.push(m[1]);
  }
  return out;
}

describe('slack-app-manifest.yaml', () => {
  it('has the same bot scopes as the OAuth install', () => {
    expect(listUnder('bot').sort()).toEqual([...SLACK_SCOPES].sort());
  });
  it('subscribes to every event the app listens to', () => {
    const code = readdirSync(new URL('../../commands/', import.meta.url))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(new URL(`../../commands/${f}`, import.meta.url), 'utf8'))
      .join('\n');
    const used = [...code.matchAll(/app\.event\('([a-z_]+)'/g)].map((m) => m[1]);
    expect(new Set(used).size).toBeGreaterThanOrEqual(4);
    expect(listUnder('bot_events').sort()).toEqual([...new Set(used)].sort());
  });
  it('points the slash command, interactivity, options and events at /slack/events', () => {
    for (const key of ['url', 'request_url', 'message_menu_options_url']) {
      for (const m of manifest.matchAll(new RegExp(`\\b${key}: (\\S+)`, 'g'))) expect(m[1]).toMatch(/\/slack\/events$/);
    }
    expect(manifest).toContain('/slack/oauth_redirect');
    expect(manifest).toContain('command: /ats');
  });
});
